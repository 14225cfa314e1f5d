"""Recording a consent through the form: what it refuses, with which words, and what it
keeps (the typed values on a mistake; the scan under a random name, without metadata)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from casework.models import Consent
from reentry.audit.models import AuditEvent
from tests.casework.consent_helpers import (
    create_url,
    form_data,
    jpeg_bytes,
    memory_storage,
    pdf_upload,
)


@pytest.fixture(autouse=True)
def storage(settings):
    return memory_storage(settings)


def post(client, casebook, enrolment=None, **overrides):
    return client.post(create_url(casebook, enrolment), form_data(casebook, **overrides))


def errors_of(response) -> dict:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def test_a_caseworker_records_a_consent_given_on_screen(login, casebook):
    client = login(casebook.cast.staff_a)
    before = Consent.objects.count()
    response = post(client, casebook, kinds=["needs", "service_logs", "identity"])
    assert response.status_code == 302
    consent = Consent.objects.latest("created_at")
    assert Consent.objects.count() == before + 1
    assert response["Location"].endswith(f"/consents/{consent.public_id}/")
    assert consent.organization == casebook.cast.org_a
    assert list(consent.recipient_organizations.all()) == [casebook.cast.org_b]
    assert consent.kinds() == ["identity", "needs", "service_logs"]
    assert consent.taken_by == casebook.cast.staff_a.user
    assert AuditEvent.objects.filter(
        action="casework.consent_recorded", details__consent=str(consent.public_id)
    ).exists()


def test_the_form_offers_only_this_collaboratives_choices(login, casebook):
    response = login(casebook.cast.staff_a).get(create_url(casebook))
    form = response.context["form"]
    organizations = set(form.fields["recipient_organizations"].queryset)
    assert casebook.cast.org_b in organizations
    assert casebook.cast.org_a not in organizations  # not with itself
    assert casebook.cast.org_x not in organizations
    assert set(form.fields["key_areas"].queryset) == {casebook.housing, casebook.employment}
    # Org A is not a Part 2 program: no Part 2 block.
    assert "shares_part2" not in form.fields
    assert form.initial["ends_on"] > form.initial["starts_on"]


def test_all_key_areas_ticks_every_key_area(login, casebook):
    post(login(casebook.cast.staff_a), casebook, key_areas=[], all_key_areas="on")
    consent = Consent.objects.latest("created_at")
    assert set(consent.key_areas.all()) == {casebook.housing, casebook.employment}


def test_verbal_without_a_witness_is_refused_and_keeps_what_was_typed(login, casebook):
    response = post(login(casebook.cast.staff_a), casebook, method="verbal", signed_name="")
    assert response.status_code == 200
    assert errors_of(response)["witness_name"] == ["Name the witness of a verbal consent."]
    assert "To find a flat after release" in response.content.decode()
    assert response.context["form"]["purpose"].value() == "To find a flat after release"


def test_paper_without_a_scan_is_refused(login, casebook):
    response = post(login(casebook.cast.staff_a), casebook, method="paper")
    assert errors_of(response)["scan"] == ["Attach the scan (or a photo) of the signed paper form."]


def test_on_screen_needs_the_name_the_person_typed(login, casebook):
    response = post(login(casebook.cast.staff_a), casebook, signed_name="")
    assert "Ask the person to type their name" in errors_of(response)["signed_name"][0]


def test_an_end_before_the_start_is_refused(login, casebook):
    today = casebook.collab.today()
    response = post(
        login(casebook.cast.staff_a), casebook, ends_on=(today - timedelta(days=1)).isoformat()
    )
    assert errors_of(response)["ends_on"] == ["The end is before the start."]


def test_more_than_three_years_is_refused(login, casebook):
    today = casebook.collab.today()
    response = post(
        login(casebook.cast.staff_a),
        casebook,
        ends_on=(today + timedelta(days=3 * 366 + 1)).isoformat(),
    )
    assert errors_of(response)["ends_on"] == ["A consent can last at most three years."]


def test_nobody_to_share_with_and_nothing_to_share_are_refused(login, casebook):
    client = login(casebook.cast.staff_a)
    response = post(client, casebook, recipient_organizations=[], findable=None)
    assert (
        "Choose at least one organization or sector"
        in errors_of(response)["recipient_organizations"][0]
    )
    response = post(client, casebook, kinds=[], key_areas=[])
    errors = errors_of(response)
    assert errors["kinds"] == ["Choose at least one kind of record to share."]
    assert errors["key_areas"] == ["Choose at least one key area, or all of them."]


def test_form_mistakes_and_consent_rules_show_together(login, casebook):
    """A missing purpose and a verbal consent without witness: both in one round."""
    response = post(login(casebook.cast.staff_a), casebook, purpose="", method="verbal")
    errors = errors_of(response)
    assert "purpose" in errors
    assert errors["witness_name"] == ["Name the witness of a verbal consent."]


def test_a_part2_consent_must_carry_every_element(login, casebook):
    """Org B is a Part 2 program: the block shows, and §2.31's elements are required."""
    client = login(casebook.cast.staff_b)
    assert "shares_part2" in client.get(create_url(casebook, casebook.rae_b)).context["form"].fields
    response = post(
        client,
        casebook,
        casebook.rae_b,
        recipient_organizations=[casebook.cast.org_a.pk],
        shares_part2="on",
        signed_name="",
        signed_on="",
        told_right_to_revoke=None,
        method="verbal",
        witness_name="Sam Witness",
    )
    errors = errors_of(response)
    part2 = "A Part 2 consent must state this (42 CFR §2.31)."
    assert errors["signed_name"][0] == part2
    assert errors["signed_on"] == [part2]
    assert errors["amount_and_kind"] == [part2]
    assert errors["told_right_to_revoke"] == [
        "A Part 2 consent must tell the person they can revoke it (42 CFR §2.31)."
    ]
    assert errors["method"] == ["A Part 2 consent must be signed, on paper or on screen."]
    response = post(
        client,
        casebook,
        casebook.rae_b,
        recipient_organizations=[casebook.cast.org_a.pk],
        shares_part2="on",
        amount_and_kind="Attendance in treatment since March",
        signed_name="Rae Roe",
    )
    assert response.status_code == 302
    consent = Consent.objects.latest("created_at")
    assert consent.shares_part2 and consent.amount_and_kind.startswith("Attendance")


def test_a_paper_consent_keeps_its_scan_under_a_random_name(login, casebook, storage):
    response = post(
        login(casebook.cast.staff_a), casebook, method="paper", signed_name="", scan=pdf_upload()
    )
    assert response.status_code == 302
    consent = Consent.objects.latest("created_at")
    assert consent.scan.name.startswith("consents/")
    assert consent.scan.name.endswith(".pdf")
    assert "signed" not in consent.scan.name
    with storage.open(consent.scan.name) as stored:
        assert stored.read().startswith(b"%PDF-")


def test_a_photo_is_kept_without_its_metadata(login, casebook, storage):
    upload = SimpleUploadedFile("IMG_0001.jpg", jpeg_bytes(), content_type="image/jpeg")
    post(login(casebook.cast.staff_a), casebook, method="paper", scan=upload)
    consent = Consent.objects.latest("created_at")
    assert consent.scan.name.endswith(".jpg")
    with storage.open(consent.scan.name) as stored:
        image = Image.open(stored)
        assert not image.getexif()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (
            b"MZ\x90\x00 a program",
            "form.pdf",
            "Upload the scan as a PDF file or a JPEG or PNG photo.",
        ),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "form.png", "Upload the scan as a PDF"),
        (
            b"%PDF-1.4\n/OpenAction << /S /JavaScript /JS (app.alert(1)) >>\n%%EOF",
            "f.pdf",
            "scripts",
        ),
        (b"%PDF-1.4\n/J#61vaScript (x)\n%%EOF", "f.pdf", "scripts"),
        (b"%PDF-1.4\n1 0 obj", "cut.pdf", "cut short"),
        (b"\x89PNG\r\n\x1a\nnot really", "f.png", "damaged"),
    ],
)
def test_a_file_that_is_not_a_clean_scan_is_refused(login, casebook, storage, data, name, message):
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    response = post(login(casebook.cast.staff_a), casebook, method="paper", scan=upload)
    assert response.status_code == 200
    assert any(message in error for error in errors_of(response)["scan"])
    assert not storage.exists("consents") or storage.listdir("consents")[1] == []


def test_a_scan_over_10_mb_is_refused(login, casebook, storage):
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF"
    upload = SimpleUploadedFile("big.pdf", big, content_type="application/pdf")
    response = post(login(casebook.cast.staff_a), casebook, method="paper", scan=upload)
    assert "larger than 10 MB" in errors_of(response)["scan"][0]


def test_a_scan_with_another_method_is_refused(login, casebook):
    response = post(login(casebook.cast.staff_a), casebook, scan=pdf_upload())
    assert "paper only" in " ".join(errors_of(response)["scan"])
