"""Shared by the consent and own-record tests: addresses, a form post, files to upload."""

import io
from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from casework.models import Consent

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def memory_storage(settings):
    """Files in memory: nothing lands in MEDIA_ROOT, and each test starts empty."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return default_storage


def url(name: str, *args) -> str:
    return reverse(f"casework:{name}", args=[str(a) for a in args])


def create_url(casebook, enrolment=None) -> str:
    enrolment = enrolment or casebook.pat_a
    return url("consent_create", casebook.collab.slug, enrolment.public_id)


def consent_url(casebook, consent: Consent, name: str = "consent") -> str:
    return url(name, casebook.collab.slug, consent.public_id)


def pdf_upload(name: str = "signed form.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def jpeg_bytes() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (41.0, 58.0, 40.0), 3: "W", 4: (91.0, 39.0, 56.0)}
    out = io.BytesIO()
    Image.new("RGB", (200, 260), (250, 250, 250)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def form_data(casebook, **overrides) -> dict:
    """A valid consent given on screen, from Org A to Org B about housing."""
    today = casebook.collab.today()
    data = {
        "recipient_organizations": [casebook.cast.org_b.pk],
        "kinds": ["needs", "service_logs"],
        "key_areas": [casebook.housing.pk],
        "purpose": "To find a flat after release",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=364)).isoformat(),
        "method": "on_screen",
        "signed_name": "Pat Doe",
        "signed_on": today.isoformat(),
        "told_right_to_revoke": "on",
        "language": "en",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
