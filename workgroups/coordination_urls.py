"""Coordination across groups, mounted at /c/<slug>/ (namespace ``coordination``)."""

from django.urls import path

from workgroups import coordination_views as views

app_name = "coordination"

urlpatterns = [
    path("key-areas/", views.key_area_list, name="key_areas"),
    path("key-areas/<slug:area>/", views.key_area_detail, name="key_area"),
    path("partners/", views.partner_list, name="partners"),
    path("partners/new/", views.partner_create, name="partner_create"),
    path("partners/<uuid:public_id>/", views.partner_detail, name="partner"),
    path("partners/<uuid:public_id>/edit/", views.partner_edit, name="partner_edit"),
]
