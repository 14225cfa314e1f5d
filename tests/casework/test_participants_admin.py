"""The admin shows codes, never names, and identity fields only to superusers and to
people who read person-level records (for their own organizations' records); that
predicate also asks caseworkers for a second factor."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from casework import access
from casework.models import Identity


def staff_user(member, *codenames):
    user = member.user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="casework", codename__in=codenames)
    )
    return user


VIEW_ALL = ("view_participant", "view_enrolment", "view_identity", "view_consent")


@pytest.fixture
def superuser(cast):
    from tests.factories import UserFactory

    return UserFactory(is_staff=True, is_superuser=True)


def test_list_pages_show_codes_never_names(casebook, superuser, client):
    client.force_login(superuser)
    for name in ("participant", "enrolment", "identity", "consent", "servicelog", "referral"):
        page = client.get(reverse(f"admin:casework_{name}_changelist")).content.decode()
        assert "Doe" not in page, name
    page = client.get(reverse("admin:casework_identity_changelist")).content.decode()
    assert casebook.pat.code in page


def test_a_superuser_sees_identity_on_the_enrolment(casebook, superuser, client):
    client.force_login(superuser)
    url = reverse("admin:casework_enrolment_change", args=[casebook.pat_a.pk])
    assert "Doe" in client.get(url).content.decode()


def test_staff_without_the_right_see_no_identity(casebook, client):
    user = staff_user(casebook.cast.backbone, *VIEW_ALL)
    client.force_login(user)
    url = reverse("admin:casework_enrolment_change", args=[casebook.pat_a.pk])
    page = client.get(url).content.decode()
    assert casebook.pat.code in page and "Doe" not in page
    identity = Identity.objects.get(enrolment=casebook.pat_a)
    assert client.get(reverse("admin:casework_identity_changelist")).status_code == 403
    change = reverse("admin:casework_identity_change", args=[identity.pk])
    assert client.get(change).status_code in (302, 403, 404)
    assert "Doe" not in client.get(change, follow=True).content.decode()
    consent = reverse("admin:casework_consent_change", args=[casebook.to_b.pk])
    assert "Signed Name" not in client.get(consent).content.decode()


def test_a_caseworker_sees_identity_of_their_own_records_only(casebook, client):
    c = casebook.cast
    user = staff_user(c.staff_a, *VIEW_ALL)
    client.force_login(user)
    own = reverse("admin:casework_enrolment_change", args=[casebook.pat_a.pk])
    assert "Doe" in client.get(own).content.decode()
    listing = client.get(reverse("admin:casework_identity_changelist")).content.decode()
    assert casebook.pat.code in listing
    assert casebook.quinn_c.participant.code not in listing  # Org C's identity
    theirs = reverse("admin:casework_enrolment_change", args=[casebook.quinn_c.pk])
    assert "Quinn" not in client.get(theirs).content.decode()


def test_reads_person_level_records(casebook):
    c = casebook.cast
    assert access.reads_person_level_records(c.staff_a.user)
    assert access.reads_person_level_records(c.admin_a.user)
    for member in (c.backbone, c.community, c.observer, c.outsider):
        assert not access.reads_person_level_records(member.user)
    c.staff_a.is_active = False
    c.staff_a.save(update_fields=["is_active"])
    assert not access.reads_person_level_records(c.staff_a.user)


def test_caseworkers_must_set_up_a_second_factor(casebook, settings, client):
    settings.MFA_ENFORCE = True
    client.force_login(casebook.cast.staff_a.user)
    response = client.get(casebook.collab.get_absolute_url())
    assert response.status_code == 302
    assert "/accounts/2fa/" in response["Location"]
    client.force_login(casebook.cast.community.user)
    assert client.get(casebook.collab.get_absolute_url()).status_code == 200
