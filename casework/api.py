"""Casework's API for providers' own case systems (organization tokens): participants,
consents, service logs and referrals, under rule 7 like every page."""

from reentry.api.viewsets import api_router

router = api_router()
