"""The HSDS import and export pages: upload, preview, confirm, refusals, isolation, export."""

import csv
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reentry.sharing.levels import SharingLevel
from stakeholders.directory.hsds import forms as hsds_forms
from stakeholders.models import Organization, Service
from tests.stakeholders.directory_world import c_url
from tests.zipbombs import bomb

SAMPLE = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "hsds-sample"
needs_sample = pytest.mark.skipif(
    not (SAMPLE / "datapackage.json").is_file(),
    reason=f"The Open Referral HSDS sample is not at {SAMPLE} (it lives beside the repo).",
)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Uploads go to a temporary MEDIA_ROOT, so a test can see what was stored."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


def stored(media: Path) -> list[Path]:
    folder = media / "hsds-imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def zip_sample(target: Path, change=None) -> Path:
    """The sample zipped (inside a top folder, as zips often are); ``change(name, text)``
    may rewrite a file on the way."""
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(SAMPLE.iterdir()):
            text = path.read_text(encoding="utf-8")
            if change is not None:
                text = change(path.name, text)
            archive.writestr(f"hsds-sample/{path.name}", text)
    return target


@pytest.fixture
def sample_zip(tmp_path) -> Path:
    if not (SAMPLE / "datapackage.json").is_file():
        pytest.skip(f"The Open Referral HSDS sample is not at {SAMPLE} (it lives beside the repo).")
    return zip_sample(tmp_path / "sample.zip")


def upload(client, collab, path: Path, **data):
    with path.open("rb") as f:
        return client.post(c_url("hsds_import", collab), {"package": f, **data})


def counts() -> tuple[int, int]:
    return Organization.objects.count(), Service.objects.count()


def token_of(response) -> str:
    return response.context["confirm"].initial["token"]


# --- preview and confirm --------------------------------------------------------------------


@needs_sample
def test_preview_of_the_sample_shows_counts_and_changes_nothing(cast, login, sample_zip, media):
    before = counts()

    response = upload(login(cast.backbone), cast.collab, sample_zip)

    assert response.status_code == 200
    report = response.context["report"]
    assert report.ok and report.dry_run and not report.committed
    assert report.counts["organizations"].created == 10
    assert report.counts["services"].created == 13
    body = response.content.decode()
    assert "Import now" in body
    assert "sample.zip" in body
    # Every column the import does not keep is named before anything is saved: of the
    # sample's, only services.csv's program_id (programs are not imported).
    dropped = {f: c.dropped for f, c in report.columns.items() if c.dropped}
    assert dropped == {"services.csv": ["program_id"]}
    assert "not kept</span> program_id</li>" in body
    assert "tax_status, tax_id, year_incorporated, legal_status</li>" in body
    assert counts() == before
    assert len(stored(media)) == 1


@needs_sample
def test_import_now_imports_the_sample_and_deletes_the_upload(cast, login, sample_zip, media):
    client = login(cast.backbone)
    preview = upload(client, cast.collab, sample_zip, sector=cast.sector2.pk, public="on")

    response = client.post(
        c_url("hsds_import_confirm", cast.collab), {"token": token_of(preview), "action": "confirm"}
    )

    assert response.status_code == 200
    report = response.context["report"]
    assert report.committed
    assert report.counts["services"].created == 13
    assert Service.objects.in_collaborative(cast.collab).count() == 13
    imported = Organization.objects.filter(collaborative=cast.collab).exclude(
        pk__in=[cast.org_a.pk, cast.org_b.pk, cast.org_c.pk]
    )
    assert imported.count() == 10
    assert set(imported.values_list("sector", "sharing_level")) == {
        (cast.sector2.pk, SharingLevel.PUBLIC)
    }
    assert "Directory imported" in response.content.decode()
    assert stored(media) == []


@needs_sample
def test_the_same_token_cannot_import_twice(cast, login, sample_zip):
    client = login(cast.backbone)
    token = token_of(upload(client, cast.collab, sample_zip))
    url = c_url("hsds_import_confirm", cast.collab)
    client.post(url, {"token": token, "action": "confirm"})

    again = client.post(url, {"token": token, "action": "confirm"})

    assert again.status_code == 400
    assert "already imported or cancelled" in again.content.decode()
    assert Service.objects.in_collaborative(cast.collab).count() == 13


@needs_sample
def test_cancel_deletes_the_upload_and_imports_nothing(cast, login, sample_zip, media):
    client = login(cast.backbone)
    token = token_of(upload(client, cast.collab, sample_zip))
    before = counts()

    response = client.post(
        c_url("hsds_import_confirm", cast.collab), {"token": token, "action": "cancel"}
    )

    assert response.status_code == 200
    assert response.context["cancelled"]
    assert counts() == before
    assert stored(media) == []


@needs_sample
def test_malformed_package_shows_the_row_by_row_report_and_offers_no_confirm(
    cast, login, tmp_path, media
):
    def orphan(name: str, text: str) -> str:
        if name != "services.csv":
            return text
        rows = list(csv.reader(io.StringIO(text)))
        rows[3][rows[0].index("organization_id")] = "no-such-organization"
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue()

    broken = zip_sample(tmp_path / "broken.zip", orphan)
    before = counts()

    response = upload(login(cast.backbone), cast.collab, broken)

    assert response.status_code == 200
    report = response.context["report"]
    assert [(i.file, i.row, i.field) for i in report.errors] == [
        ("services.csv", 4, "organization_id")
    ]
    body = response.content.decode()
    assert "no-such-organization" in body
    assert '<td data-label="Row">4</td>' in body
    assert "Import now" not in body
    assert response.context.get("confirm") is None
    assert counts() == before
    assert stored(media) == []


# --- refusals -------------------------------------------------------------------------------


@needs_sample
def test_a_tampered_token_is_refused_and_imports_nothing(cast, login, sample_zip):
    client = login(cast.backbone)
    token = token_of(upload(client, cast.collab, sample_zip))
    before = counts()

    response = client.post(
        c_url("hsds_import_confirm", cast.collab), {"token": token[:-2] + "xx", "action": "confirm"}
    )

    assert response.status_code == 400
    assert "could not be confirmed" in response.content.decode()
    assert counts() == before


def test_a_token_signed_for_another_collaborative_is_refused(cast, login, tmp_path, media):
    client = login(cast.backbone)
    token = hsds_forms.sign_upload(
        name="hsds-imports/elsewhere.zip",
        source="x.zip",
        collaborative=cast.other_collab,
        user_id=cast.backbone.user.pk,
        sector_id=None,
        public=False,
    )

    response = client.post(c_url("hsds_import_confirm", cast.collab), {"token": token})

    assert response.status_code == 400
    assert "could not be confirmed" in response.content.decode()


@needs_sample
def test_an_expired_preview_is_refused_and_its_upload_deleted(
    cast, login, sample_zip, media, monkeypatch
):
    client = login(cast.backbone)
    token = token_of(upload(client, cast.collab, sample_zip))
    monkeypatch.setattr(hsds_forms, "TOKEN_MAX_AGE", -1)

    response = client.post(c_url("hsds_import_confirm", cast.collab), {"token": token})

    assert response.status_code == 400
    assert "more than an hour old" in response.content.decode()
    assert stored(media) == []
    assert Service.objects.in_collaborative(cast.collab).count() == 0


def test_a_file_that_is_not_a_zip_is_refused_next_to_the_field(cast, login, media):
    fake = SimpleUploadedFile("directory.zip", b"name,id\nnot,a zip\n")

    response = login(cast.backbone).post(c_url("hsds_import", cast.collab), {"package": fake})

    assert response.status_code == 400
    assert response.context["form"].errors["package"] == ["This is not a zip file."]
    assert stored(media) == []


def test_a_zip_without_datapackage_json_is_refused(cast, login, media):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("organizations.csv", "id,name\n1,Org\n")
    bare = SimpleUploadedFile("bare.zip", buffer.getvalue())

    response = login(cast.backbone).post(c_url("hsds_import", cast.collab), {"package": bare})

    assert response.status_code == 400
    assert response.context["form"].errors["package"] == ["The zip file has no datapackage.json."]
    assert stored(media) == []


def test_a_file_over_the_size_limit_is_refused(cast, login, media, monkeypatch):
    monkeypatch.setattr(hsds_forms, "MAX_UPLOAD_BYTES", 10)
    big = SimpleUploadedFile("big.zip", b"x" * 11)

    response = login(cast.backbone).post(c_url("hsds_import", cast.collab), {"package": big})

    assert response.status_code == 400
    assert response.context["form"].errors["package"] == ["The file is larger than 20 MB."]
    assert stored(media) == []


def test_a_sector_of_another_collaborative_cannot_be_chosen(cast, login, sample_zip, media):
    other_sector = cast.org_x.sector

    response = upload(login(cast.backbone), cast.collab, sample_zip, sector=other_sector.pk)

    assert response.status_code == 400
    assert "sector" in response.context["form"].errors
    assert stored(media) == []


# --- who may -------------------------------------------------------------------------------


def test_backbone_staff_see_the_upload_form(cast, login):
    response = login(cast.backbone).get(c_url("hsds_import", cast.collab))

    assert response.status_code == 200
    assert 'type="file"' in response.content.decode()


@pytest.mark.parametrize("name", ["hsds_import", "hsds_import_confirm", "hsds_export"])
def test_other_collaborative_gets_404(cast, login, name):
    client = login(cast.outsider)
    url = c_url(name, cast.collab)

    response = client.post(url) if name == "hsds_import_confirm" else client.get(url)

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["hsds_import", "hsds_import_confirm", "hsds_export"])
@pytest.mark.parametrize("who", ["admin_a", "staff_b", "community"])
def test_members_who_are_not_backbone_staff_get_403(cast, login, name, who):
    client = login(getattr(cast, who))
    url = c_url(name, cast.collab)

    response = client.post(url) if name == "hsds_import_confirm" else client.get(url)

    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(cast, client):
    response = client.get(c_url("hsds_export", cast.collab))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_confirm_only_accepts_post(cast, login):
    response = login(cast.backbone).get(c_url("hsds_import_confirm", cast.collab))

    assert response.status_code == 405


# --- export --------------------------------------------------------------------------------


def test_export_is_a_zip_of_the_public_directory_with_datapackage_json(cast, login):
    Organization.objects.filter(pk=cast.org_a.pk).update(sharing_level=SharingLevel.PUBLIC)

    response = login(cast.backbone).get(c_url("hsds_export", cast.collab))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="collab-a-directory-hsds.zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "datapackage.json" in archive.namelist()
    organizations = archive.read("organizations.csv").decode()
    assert "Org A" in organizations
    assert "Org B" not in organizations  # members only: not in the public directory
    assert "Org X" not in organizations  # another collaborative


def test_coverage_page_links_to_import_and_export(cast, login):
    body = login(cast.backbone).get(c_url("coverage", cast.collab)).content.decode()

    assert c_url("hsds_import", cast.collab) in body
    assert c_url("hsds_export", cast.collab) in body


def test_sweep_deletes_only_abandoned_uploads(media):
    import os
    import time

    from stakeholders.directory.hsds.uploads import UPLOAD_FOLDER, uploads_sweep
    from stakeholders.tasks import sweep_hsds_uploads

    folder = media / UPLOAD_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    old, fresh = folder / "old.zip", folder / "fresh.zip"
    old.write_bytes(b"PK")
    fresh.write_bytes(b"PK")
    three_hours_ago = time.time() - 3 * 3600
    os.utime(old, (three_hours_ago, three_hours_ago))
    assert sweep_hsds_uploads.delay().get() == 1
    assert not old.exists()
    assert fresh.exists()
    assert uploads_sweep() == 0


def test_sweep_is_scheduled(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "stakeholders.tasks.sweep_hsds_uploads" in tasks


def test_a_zip_bomb_is_refused_from_its_directory(cast, login, media):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("datapackage.json", '{"resources": []}')
    packed = bomb(megabytes=32, member="organizations.csv", base=buffer.getvalue())

    response = login(cast.backbone).post(
        c_url("hsds_import", cast.collab),
        {"package": SimpleUploadedFile("bomb.zip", packed)},
    )

    assert response.status_code == 400
    assert "packed far more tightly than real data" in response.context["form"].errors["package"][0]
    assert stored(media) == []
