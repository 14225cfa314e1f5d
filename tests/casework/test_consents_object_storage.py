"""Consent scans on S3-compatible object storage (issue 18): uploaded through the consent
form into a bucket on a local S3 server (tests/objectstorage.py), downloaded from it by
the holders only."""

from django.conf import settings

from casework.models import Consent
from tests.casework.consent_helpers import PDF, consent_url, create_url, form_data, pdf_upload


def _nothing_on_disk() -> bool:
    media = settings.MEDIA_ROOT
    return not media.exists() or not any(media.rglob("*"))


class TestConsentScan:
    def test_uploaded_saved_and_downloaded_from_the_bucket(self, s3, login, casebook):
        client = login(casebook.cast.staff_a)
        response = client.post(
            create_url(casebook),
            form_data(casebook, method="paper", signed_name="", scan=pdf_upload()),
        )
        assert response.status_code == 302
        consent = Consent.objects.latest("created_at")
        assert s3.keys("consents/") == [consent.scan.name]
        assert s3.read(consent.scan.name) == PDF

        response = client.get(consent_url(casebook, consent, "consent_scan"))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert _nothing_on_disk()

    def test_a_recipient_and_another_collaborative_get_404(self, s3, login, casebook):
        login(casebook.cast.staff_a).post(
            create_url(casebook),
            form_data(casebook, method="paper", signed_name="", scan=pdf_upload()),
        )
        consent = Consent.objects.latest("created_at")
        for who in (casebook.cast.staff_b, casebook.cast.outsider):
            response = login(who).get(consent_url(casebook, consent, "consent_scan"))
            assert response.status_code == 404
