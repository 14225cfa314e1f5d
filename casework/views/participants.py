"""participants pages."""

urlpatterns: list = []
