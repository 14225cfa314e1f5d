"""own pages."""

urlpatterns: list = []
