"""logs pages."""

urlpatterns: list = []
