"""consents pages."""

urlpatterns: list = []
