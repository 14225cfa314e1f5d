"""The public dashboard, mounted at /dashboard/<slug>/ (namespace ``public_indicators``)."""

from django.urls import path

from indicators.views import public as views

app_name = "public_indicators"

urlpatterns = [
    path("", views.public_dashboard, name="dashboard"),
    path("data.csv", views.public_csv, name="csv"),
    path("<uuid:public_id>/embed/", views.public_embed, name="embed"),
    path("<uuid:public_id>/chart.svg", views.public_chart_svg, name="chart"),
]
