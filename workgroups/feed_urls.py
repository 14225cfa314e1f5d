"""Calendar links and feeds (workgroups/feeds.py), inside the workgroups namespace."""

from django.urls import path

from workgroups import feeds

urlpatterns = [
    path("calendar/", feeds.calendar_links, name="calendar_links"),
    path("calendar/new/", feeds.calendar_link_create, name="calendar_link_create"),
    path(
        "calendar/<uuid:public_id>/change/",
        feeds.calendar_link_change,
        name="calendar_link_change",
    ),
    path("calendar/<str:token>.ics", feeds.calendar_feed, name="calendar_feed"),
]
