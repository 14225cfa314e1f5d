"""Casework pages, under /c/<collaborative>/casework/. Each views module keeps its own
routes; this module only puts them together."""

from casework.views import consents, indicators, logs, own, participants, referrals

app_name = "casework"

urlpatterns = [
    *participants.urlpatterns,
    *consents.urlpatterns,
    *logs.urlpatterns,
    *referrals.urlpatterns,
    *own.urlpatterns,
    *indicators.urlpatterns,
]
