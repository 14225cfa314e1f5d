from django.urls import path

from reentry.stipends import views

app_name = "stipends"

urlpatterns = [
    path("", views.review, name="review"),
    path("decide/", views.decide, name="decide"),
    path("settings/", views.rate_settings, name="settings"),
    path("me/", views.my_statement, name="mine"),
    path("months/<str:month>/", views.month_view, name="month"),
    path("months/<str:month>/pay/", views.pay, name="pay"),
    path("payments/<uuid:public_id>.csv", views.payment_csv, name="payment_csv"),
    path(
        "statements/<uuid:public_id>/<str:month>/",
        views.statement,
        name="statement",
    ),
]
