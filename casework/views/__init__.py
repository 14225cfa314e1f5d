"""Casework pages, one module per kind of record; each module keeps its own
``urlpatterns``, which ``casework.urls`` puts together."""
