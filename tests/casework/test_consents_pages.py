"""The consent pages under rule 7: who opens what (404 for everyone else), revocation on
the very next request, the printable form in English and Spanish, the scan download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casework.models import Consent, Enrolment, ServiceLog
from casework.services import consents as services
from reentry.audit.models import AuditEvent
from tests.casework.conftest import give_consent
from tests.casework.consent_helpers import (
    PDF,
    consent_url,
    create_url,
    memory_storage,
    url,
)


@pytest.fixture(autouse=True)
def storage(settings):
    return memory_storage(settings)


@pytest.fixture
def paper(casebook):
    """A paper consent with its scan, Org A to Org B."""
    return give_consent(
        casebook.cast.staff_a,
        casebook.pat_a,
        recipient_organizations=[casebook.cast.org_b],
        key_areas=[casebook.housing],
        shares_needs=True,
        method=Consent.Method.PAPER,
        signed_name="Pat Doe",
        scan=SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
    )


def people(casebook, *names):
    c = casebook.cast
    everyone = {
        "staff_a": c.staff_a,
        "admin_a": c.admin_a,
        "staff_b": c.staff_b,
        "staff_c": c.staff_c,
        "backbone": c.backbone,
        "community": c.community,
        "observer": c.observer,
        "outsider": c.outsider,
        "pat": casebook.pat_member,
    }
    return [everyone[name] for name in names]


# --- Who opens what ---------------------------------------------------------------------------

PAGES = ["consent", "consent_print", "consent_revoke"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["staff_c", "backbone", "community", "observer", "outsider"])
def test_others_get_404_on_the_consent_pages(client, casebook, page, who):
    (member,) = people(casebook, who)
    client.force_login(member.user)
    assert client.get(consent_url(casebook, casebook.to_b, page)).status_code == 404


@pytest.mark.parametrize("page", [*PAGES, "consent_scan"])
def test_another_collaborative_gets_404_even_under_its_own_address(client, casebook, paper, page):
    client.force_login(casebook.cast.outsider.user)
    for consent in (casebook.to_b, paper):
        address = url(page, casebook.cast.other_collab.slug, consent.public_id)
        assert client.get(address).status_code == 404


@pytest.mark.parametrize("page", [*PAGES, "consent_scan"])
def test_anonymous_is_sent_to_sign_in(client, casebook, paper, page):
    response = client.get(consent_url(casebook, paper, page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["staff_a", "admin_a", "pat", "staff_b"])
def test_the_owner_the_person_and_a_recipient_in_force_read_the_consent(client, casebook, who):
    (member,) = people(casebook, who)
    client.force_login(member.user)
    response = client.get(consent_url(casebook, casebook.to_b))
    assert response.status_code == 200
    assert "Org B" in response.content.decode()


def test_reading_a_consent_is_audit_logged_with_why(client, casebook):
    client.force_login(casebook.cast.staff_b.user)
    client.get(consent_url(casebook, casebook.to_b))
    event = AuditEvent.objects.filter(action="casework.record_viewed").latest("at")
    assert event.object_id == str(casebook.pat.public_id)
    assert event.details["why"] == ["consent"]
    assert event.details["consents"] == [str(casebook.to_b.public_id)]


def test_a_recipient_does_not_see_the_persons_signed_name_without_identity(client, casebook):
    client.force_login(casebook.cast.staff_b.user)
    page = client.get(consent_url(casebook, casebook.to_b)).content.decode()
    assert "Signed Name" not in page
    client.force_login(casebook.cast.staff_a.user)
    assert "Signed Name" in client.get(consent_url(casebook, casebook.to_b)).content.decode()


def test_revoked_and_expired_consents_are_404_for_their_recipients(client, casebook):
    client.force_login(casebook.cast.staff_c.user)  # named by both
    assert client.get(consent_url(casebook, casebook.revoked_to_c)).status_code == 404
    assert client.get(consent_url(casebook, casebook.expired_to_s2)).status_code == 404
    client.force_login(casebook.cast.staff_a.user)  # the owner keeps them, with their status
    page = client.get(consent_url(casebook, casebook.revoked_to_c)).content.decode()
    assert "Revoked on" in page
    page = client.get(consent_url(casebook, casebook.expired_to_s2)).content.decode()
    assert "This consent ended on" in page


def test_a_part2_consent_carries_the_notice_for_its_recipient(client, casebook):
    client.force_login(casebook.cast.staff_c.user)
    page = client.get(consent_url(casebook, casebook.rae_to_c_part2)).content.decode()
    assert "42 CFR part 2" in page
    client.force_login(casebook.cast.staff_b.user)  # the program itself: no notice
    page = client.get(consent_url(casebook, casebook.rae_to_c_part2)).content.decode()
    assert "Notice: 42 CFR part 2 records" not in page


@pytest.mark.parametrize("who", ["staff_b", "staff_c", "backbone", "pat", "outsider"])
def test_only_the_owners_caseworkers_record_consents(client, casebook, who):
    (member,) = people(casebook, who)
    client.force_login(member.user)
    assert client.get(create_url(casebook)).status_code == 404
    address = url("consents", casebook.collab.slug, casebook.pat_a.public_id)
    assert client.get(address).status_code == 404


def test_anonymous_cannot_record_a_consent(client, casebook):
    assert client.get(create_url(casebook)).status_code == 302
    assert client.post(create_url(casebook), {}).status_code == 302


# --- Revocation -------------------------------------------------------------------------------


def test_revoking_asks_first_and_works_without_javascript(client, casebook):
    client.force_login(casebook.pat_member.user)
    address = consent_url(casebook, casebook.to_b, "consent_revoke")
    page = client.get(address).content.decode()
    assert "Revoke this consent?" in page
    assert 'method="post"' in page
    assert Consent.objects.get(pk=casebook.to_b.pk).revoked_at is None  # a GET changes nothing
    response = client.post(address, {"reason": "I found a flat"})
    assert response.status_code == 302
    assert response["Location"].endswith("/casework/my-record/#consents")
    consent = Consent.objects.get(pk=casebook.to_b.pk)
    assert consent.revoked_by == casebook.pat_member.user
    assert consent.revoked_reason == "I found a flat"
    event = AuditEvent.objects.get(
        action="casework.consent_revoked", details__consent=str(consent.public_id)
    )
    assert event.details["by"] == "person"


def test_revoked_as_the_person_org_b_sees_nothing_on_its_next_request(client, casebook):
    c = casebook.cast
    staff_b = c.staff_b.user
    assert casebook.log_housing in ServiceLog.objects.visible_to(staff_b)
    client.force_login(staff_b)
    assert client.get(consent_url(casebook, casebook.to_b)).status_code == 200

    client.force_login(casebook.pat_member.user)
    client.post(consent_url(casebook, casebook.to_b, "consent_revoke"), {"reason": ""})

    client.force_login(staff_b)
    assert client.get(consent_url(casebook, casebook.to_b)).status_code == 404
    assert not ServiceLog.objects.visible_to(staff_b).filter(participant=casebook.pat).exists()
    assert not Enrolment.objects.visible_to(staff_b).filter(participant=casebook.pat).exists()
    # Org A's own records stay whole.
    assert (
        ServiceLog.objects.visible_to(c.staff_a.user).filter(participant=casebook.pat).count() == 2
    )


def test_a_caseworker_of_the_owner_revokes_and_lands_on_the_consent(client, casebook):
    client.force_login(casebook.cast.admin_a.user)
    response = client.post(consent_url(casebook, casebook.to_b, "consent_revoke"), {})
    assert response["Location"].endswith(f"/consents/{casebook.to_b.public_id}/")
    page = client.get(response["Location"]).content.decode()
    assert "Revoked on" in page
    assert "Revoke this consent" not in page


def test_a_recipient_may_read_but_not_revoke(client, casebook):
    client.force_login(casebook.cast.staff_b.user)
    assert (
        "Revoke this consent"
        not in client.get(consent_url(casebook, casebook.to_b)).content.decode()
    )
    response = client.post(consent_url(casebook, casebook.to_b, "consent_revoke"), {})
    assert response.status_code == 403
    assert Consent.objects.get(pk=casebook.to_b.pk).revoked_at is None


def test_revoking_twice_changes_nothing(client, casebook):
    client.force_login(casebook.pat_member.user)
    address = consent_url(casebook, casebook.to_b, "consent_revoke")
    client.post(address, {})
    first = Consent.objects.get(pk=casebook.to_b.pk).revoked_at
    response = client.post(address, {})
    assert response.status_code == 302
    assert Consent.objects.get(pk=casebook.to_b.pk).revoked_at == first
    assert (
        AuditEvent.objects.filter(
            action="casework.consent_revoked", details__consent=str(casebook.to_b.public_id)
        ).count()
        == 1
    )


# --- The printable form -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff_a", "pat"])
def test_the_holders_print_the_form(client, casebook, who):
    (member,) = people(casebook, who)
    client.force_login(member.user)
    page = client.get(consent_url(casebook, casebook.to_b, "consent_print")).content.decode()
    assert "Permission to share my information" in page
    assert "Org A" in page and "Org B" in page
    assert "To find housing after release" in page
    assert "I can take back this permission at any time" in page
    assert "Signature of the person" in page


def test_a_recipient_cannot_print_the_form(client, casebook):
    client.force_login(casebook.cast.staff_b.user)
    assert client.get(consent_url(casebook, casebook.to_b, "consent_print")).status_code == 404


def test_the_form_prints_in_spanish(client, casebook):
    client.force_login(casebook.cast.staff_a.user)
    address = consent_url(casebook, casebook.to_b, "consent_print")
    page = client.get(address, {"lang": "es"}).content.decode()
    assert 'lang="es"' in page
    assert "Permiso para compartir mi información" in page
    assert "Puedo retirar este permiso en cualquier momento" in page
    # The page around the form stays in the reader's language.
    assert "Back to the consent" in page


def test_a_spanish_consent_prints_in_spanish_by_default(client, casebook):
    Consent.objects.filter(pk=casebook.to_b.pk).update(language="es")
    client.force_login(casebook.cast.staff_a.user)
    page = client.get(consent_url(casebook, casebook.to_b, "consent_print")).content.decode()
    assert "Permiso para compartir mi información" in page
    page = client.get(consent_url(casebook, casebook.to_b, "consent_print"), {"lang": "en"})
    assert "Permission to share my information" in page.content.decode()


def test_a_part2_form_states_the_part2_elements(client, casebook):
    client.force_login(casebook.cast.staff_b.user)
    page = client.get(consent_url(casebook, casebook.rae_to_c_part2, "consent_print"))
    text = page.content.decode()
    assert "Org B Recovery" in text
    assert "Records of my substance use treatment." in text
    assert "Attendance in treatment" in text
    assert "42 CFR Part 2" in text


# --- The scan ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff_a", "admin_a", "pat"])
def test_the_holders_download_the_scan(client, casebook, paper, who):
    (member,) = people(casebook, who)
    client.force_login(member.user)
    response = client.get(consent_url(casebook, paper, "consent_scan"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="casework.consent_scan_downloaded").exists()


@pytest.mark.parametrize("who", ["staff_b", "staff_c", "backbone", "community", "outsider"])
def test_nobody_else_downloads_the_scan_not_even_a_recipient(client, casebook, paper, who):
    (member,) = people(casebook, who)
    client.force_login(member.user)
    assert client.get(consent_url(casebook, paper, "consent_scan")).status_code == 404


def test_a_consent_without_a_scan_has_no_download(client, casebook):
    client.force_login(casebook.cast.staff_a.user)
    assert client.get(consent_url(casebook, casebook.to_b, "consent_scan")).status_code == 404


def test_the_scan_is_not_under_media_url(casebook, paper, settings):
    assert not paper.scan.name.startswith(settings.MEDIA_URL)
    assert "scan.pdf" not in paper.scan.name


# --- The list ---------------------------------------------------------------------------------


def test_the_consents_list_runs_the_same_queries_for_1_and_25_rows(client, casebook, count_queries):
    c = casebook.cast
    enrolment = casebook.quinn_c  # no consent yet
    address = url("consents", casebook.collab.slug, enrolment.public_id)
    client.force_login(c.staff_c.user)
    give_consent(
        c.staff_c,
        enrolment,
        recipient_organizations=[c.org_a],
        key_areas=[casebook.housing],
        shares_needs=True,
    )
    one = count_queries(client, address)
    assert count_queries.page.count('class="badge ok"') == 1
    for n in range(24):
        consent = give_consent(
            c.staff_c,
            enrolment,
            recipient_organizations=[c.org_a, c.org_b],
            recipient_sectors=[c.sector1],
            key_areas=[casebook.housing, casebook.employment],
            shares_service_logs=True,
        )
        if n % 3 == 0:
            services.consent_revoke(user=c.staff_c.user, consent=consent)
    many = count_queries(client, address)
    assert one == many
    assert count_queries.page.count("<tr>") == 25 + 1  # the header row and 25 consents
    assert "Revoked" in count_queries.page
