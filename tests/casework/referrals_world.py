"""What the referral tests add to the casebook (tests/casework/conftest.py): a service of
Org B that takes referrals in Housing, one of Org C, one of Org X (collaborative B), and
helpers to send a referral of Pat from Org A to Org B (the casebook's consent ``to_b``
covers Org B, Housing and referrals)."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from casework.services import referrals
from stakeholders.models import Service


def service_of(organization, key_area=None, *, name=None, accepts=True) -> Service:
    service = Service.objects.create(
        organization=organization,
        name=name or f"{organization.name} housing help",
        accepts_referrals=accepts,
    )
    if key_area is not None:
        service.key_areas.set([key_area])
    return service


@pytest.fixture
def rw(casebook):
    cb = casebook
    c = cb.cast
    return SimpleNamespace(
        cb=cb,
        c=c,
        service_b=service_of(c.org_b, cb.housing, name="Housing navigation"),
        service_c=service_of(c.org_c, cb.housing, name="Court housing desk"),
        service_x=service_of(c.org_x, name="Elsewhere"),
    )


def send(rw, **overrides):
    values = {
        "actor": rw.c.staff_a,
        "enrolment": rw.cb.pat_a,
        "to_service": rw.service_b,
        "key_area": rw.cb.housing,
        "reason": "Needs a room before Friday",
    }
    values.update(overrides)
    return referrals.referral_send(**values)


def url(name, rw, *args, **params) -> str:
    path = reverse(f"casework:{name}", args=[rw.c.collab.slug, *args])
    if params:
        path += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return path
