"""An organization's profile: its logo and its contact people.

Only the organization's own admins and staff change them. A logo is checked (type, size,
pixels), re-encoded without any metadata, stored under a random name and served only
through a view that honours who may see the profile. Contact people are as visible as the
organization's profile, and travel in the HSDS export (tested in test_hsds.py).
"""

import io
import random
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from reentry.audit.models import AuditEvent
from stakeholders.directory.services import listings as directory_services
from stakeholders.models import Contact, Organization
from tests.stakeholders.directory_world import c_url, make_public, make_service, p_url

pytestmark = pytest.mark.django_db

GPS = 0x8825
MAKE = 0x010F


@pytest.fixture(autouse=True)
def storage(settings):
    """Files in memory: nothing lands in MEDIA_ROOT, and each test starts empty."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return default_storage


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48), **save) -> bytes:
    out = io.BytesIO()
    mode = "RGB" if fmt == "JPEG" else "RGBA"
    Image.new(mode, size, (11, 85, 99)).save(out, fmt, **save)
    return out.getvalue()


def upload(data: bytes, name: str = "logo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def jpeg_with_gps() -> bytes:
    """A phone photo: camera make, GPS position, a comment, turned on its side."""
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[0x0112] = 6  # orientation: rotate 90° to show upright
    exif[GPS] = {1: "N", 2: (41.0, 58.0, 40.0), 3: "W", 4: (91.0, 39.0, 56.0)}
    return image_bytes("JPEG", (1200, 800), exif=exif.tobytes(), comment=b"home address")


def profile_post(cast, **extra) -> dict:
    """What the profile form sends (sector and visibility count only for admins)."""
    return {
        "description": "Beds and deposits.",
        "sector": cast.org_a.sector_id,
        "sharing_level": cast.org_a.sharing_level,
        **extra,
    }


def edit_url(cast) -> str:
    return c_url("organization_edit", cast.collab, public_id=cast.org_a.public_id)


def logo_url(cast, organization=None) -> str:
    organization = organization or cast.org_a
    return c_url("organization_logo", cast.collab, public_id=organization.public_id)


def public_logo_url(cast, organization=None) -> str:
    organization = organization or cast.org_a
    return p_url("organization_logo", cast.collab, public_id=organization.public_id)


@pytest.fixture
def set_logo(cast) -> Callable[..., Organization]:
    """Give an organization a logo through the service, as its own admin would."""

    def _set(organization=None, data: bytes | None = None) -> Organization:
        organization = organization or cast.org_a
        admin = {cast.org_a.pk: cast.admin_a, cast.org_b.pk: cast.staff_b}[organization.pk]
        directory_services.organization_profile_update(
            actor=admin, organization=organization, logo=upload(data or image_bytes())
        )
        organization.refresh_from_db()  # the cast's own object, so later saves keep the logo
        return organization

    return _set


def stored_logos() -> list[str]:
    try:
        return default_storage.listdir("logos")[1]
    except FileNotFoundError:
        return []


def stored(organization: Organization) -> Image.Image:
    organization.refresh_from_db()
    with default_storage.open(organization.logo.name) as f:
        image = Image.open(io.BytesIO(f.read()))
    image.load()
    return image


# --- Uploading a logo ---------------------------------------------------------------------


class TestLogoUpload:
    @pytest.mark.parametrize("who", ["admin_a", "staff_a"])
    def test_own_admins_and_staff_upload_a_logo(self, cast, login, who):
        response = login(getattr(cast, who)).post(
            edit_url(cast), profile_post(cast, logo=upload(image_bytes(), name="our-logo.png"))
        )

        assert response.status_code == 302
        cast.org_a.refresh_from_db()
        name = cast.org_a.logo.name
        assert name.startswith("logos/") and name.endswith(".png")
        assert "our-logo" not in name  # a random name, nothing of the upload's
        assert default_storage.exists(name)
        event = AuditEvent.objects.get(action="directory.organization_updated")
        assert "logo" in event.details["changed"]

    def test_each_upload_gets_a_new_random_name_and_the_old_file_goes(
        self, cast, set_logo, django_capture_on_commit_callbacks
    ):
        first = set_logo().logo.name
        with django_capture_on_commit_callbacks(execute=True):
            second = set_logo().logo.name

        assert first != second
        assert default_storage.exists(second)
        assert not default_storage.exists(first)

    @pytest.mark.parametrize(
        ("data", "name"),
        [
            (image_bytes("GIF"), "logo.gif"),
            (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.svg"),
            (b"%PDF-1.7 not an image at all", "logo.png"),
            (image_bytes("BMP"), "logo.png"),
        ],
    )
    def test_a_file_that_is_not_png_jpeg_or_webp_is_refused(self, cast, login, data, name):
        response = login(cast.admin_a).post(
            edit_url(cast), profile_post(cast, logo=upload(data, name=name))
        )

        assert response.status_code == 200
        assert "Upload the logo as a PNG, JPEG or WebP image." in response.content.decode()
        cast.org_a.refresh_from_db()
        assert not cast.org_a.logo
        # All or nothing: the description typed with it is not saved either...
        assert cast.org_a.description != "Beds and deposits."
        # ...but the form keeps it.
        assert "Beds and deposits." in response.content.decode()
        assert stored_logos() == []

    def test_a_logo_over_2_mb_is_refused(self, cast, login):
        noise = Image.frombytes("RGB", (1000, 1000), random.Random(4).randbytes(3_000_000))
        out = io.BytesIO()
        noise.save(out, "PNG", compress_level=0)
        assert len(out.getvalue()) > 2 * 1024 * 1024

        response = login(cast.admin_a).post(
            edit_url(cast), profile_post(cast, logo=upload(out.getvalue()))
        )

        assert response.status_code == 200
        assert "larger than 2 MB" in response.content.decode()
        cast.org_a.refresh_from_db()
        assert not cast.org_a.logo

    def test_a_logo_over_2000_pixels_is_refused(self, cast, login):
        response = login(cast.admin_a).post(
            edit_url(cast), profile_post(cast, logo=upload(image_bytes("PNG", (2001, 10))))
        )

        assert response.status_code == 200
        assert "2001 × 10 pixels" in response.content.decode()
        cast.org_a.refresh_from_db()
        assert not cast.org_a.logo

    def test_exif_and_gps_are_stripped_and_the_logo_is_scaled_to_512(self, cast, set_logo):
        original = Image.open(io.BytesIO(jpeg_with_gps()))
        assert original.getexif()[MAKE] == "PhoneMaker"  # the test photo does carry them
        assert GPS in original.getexif()

        organization = set_logo(data=jpeg_with_gps())

        image = stored(organization)
        assert organization.logo.name.endswith(".jpg")
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info and "comment" not in image.info
        with default_storage.open(organization.logo.name) as f:
            raw = f.read()
        assert b"PhoneMaker" not in raw and b"home address" not in raw
        # Turned upright (it was 1200 × 800 on its side), then scaled to fit 512.
        assert image.size == (341, 512)

    def test_png_text_and_webp_metadata_are_stripped(self, cast, set_logo):
        text = PngImagePlugin.PngInfo()
        text.add_text("Author", "Jane Doe, 12 Elm Street")
        organization = set_logo(data=image_bytes("PNG", (900, 300), pnginfo=text))

        image = stored(organization)
        assert image.format == "PNG"
        assert "Author" not in image.info
        assert image.size == (512, 171)

        exif = Image.Exif()
        exif[MAKE] = "PhoneMaker"
        organization = set_logo(data=image_bytes("WEBP", exif=exif.tobytes()))
        image = stored(organization)
        assert image.format == "WEBP"
        assert "exif" not in image.info
        assert image.size == (64, 48)  # small logos are not enlarged

    def test_the_logo_can_be_removed(
        self, cast, login, set_logo, django_capture_on_commit_callbacks
    ):
        name = set_logo().logo.name
        with django_capture_on_commit_callbacks(execute=True):
            response = login(cast.staff_a).post(
                edit_url(cast), profile_post(cast, remove_logo="on")
            )

        assert response.status_code == 302
        cast.org_a.refresh_from_db()
        assert not cast.org_a.logo
        assert not default_storage.exists(name)

    def test_the_edit_page_shows_the_current_logo_and_a_remove_option(self, cast, login, set_logo):
        set_logo()
        page = login(cast.staff_a).get(edit_url(cast)).content.decode()

        assert 'enctype="multipart/form-data"' in page
        assert logo_url(cast) in page
        assert 'name="remove_logo"' in page

    def test_no_remove_option_without_a_logo(self, cast, login):
        page = login(cast.staff_a).get(edit_url(cast)).content.decode()
        assert 'name="logo"' in page
        assert 'name="remove_logo"' not in page

    def test_other_organizations_and_backbone_staff_cannot_set_a_logo(self, cast, login):
        for actor in (cast.staff_b, cast.backbone):
            with pytest.raises(PermissionDenied):
                directory_services.organization_profile_update(
                    actor=actor, organization=cast.org_a, logo=upload(image_bytes())
                )
        response = login(cast.staff_b).post(
            edit_url(cast), profile_post(cast, logo=upload(image_bytes()))
        )
        assert response.status_code == 404
        cast.org_a.refresh_from_db()
        assert not cast.org_a.logo

    def test_the_history_says_an_image_changed_not_its_file_name(self, cast, login, set_logo):
        set_logo()
        url = c_url("organization_history", cast.collab, public_id=cast.org_a.public_id)
        page = login(cast.backbone).get(url).content.decode()

        assert "an image" in page
        assert cast.org_a.logo.name.split("/")[-1] not in page


# --- Serving the logo ---------------------------------------------------------------------


class TestLogoView:
    @pytest.mark.parametrize("who", ["staff_a", "staff_b", "staff_c", "community", "backbone"])
    def test_members_of_the_collaborative_get_the_logo(self, cast, login, set_logo, who):
        set_logo()
        response = login(getattr(cast, who)).get(logo_url(cast))

        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Cache-Control"] == "private, max-age=3600"
        assert response["ETag"] == f'"{cast.org_a.logo_version}"'
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")

    def test_an_unchanged_logo_is_not_sent_again(self, cast, login, set_logo):
        set_logo()
        client = login(cast.staff_b)
        etag = client.get(logo_url(cast))["ETag"]

        response = client.get(logo_url(cast), headers={"if-none-match": etag})

        assert response.status_code == 304
        assert response["Cache-Control"] == "private, max-age=3600"

    def test_a_member_of_another_collaborative_gets_404(self, cast, login, set_logo):
        set_logo()
        assert login(cast.outsider).get(logo_url(cast)).status_code == 404

    def test_another_collaboratives_organization_is_not_found_through_this_one(self, cast, login):
        url = c_url("organization_logo", cast.collab, public_id=cast.org_x.public_id)
        assert login(cast.staff_a).get(url).status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in_on_the_members_address(
        self, cast, client, set_logo
    ):
        set_logo()
        response = client.get(logo_url(cast))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    def test_a_members_only_organizations_logo_is_404_on_the_public_directory(
        self, cast, client, set_logo
    ):
        set_logo()
        make_public(cast.org_b)  # the public directory exists, org A is members-only
        assert client.get(public_logo_url(cast)).status_code == 404
        # Signed in changes nothing there: the public directory is what anyone sees.
        client.force_login(cast.staff_a.user)
        assert client.get(public_logo_url(cast)).status_code == 404

    def test_a_public_organizations_logo_is_served_to_anyone(self, cast, client, set_logo):
        set_logo()
        make_public(cast.org_a)

        response = client.get(public_logo_url(cast))

        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=3600"
        assert response["ETag"]

    def test_no_logo_is_404(self, cast, login, client):
        make_public(cast.org_a)
        assert login(cast.staff_a).get(logo_url(cast)).status_code == 404
        client.logout()
        assert client.get(public_logo_url(cast)).status_code == 404

    def test_the_file_is_not_reachable_under_media_url(self, cast, client, set_logo):
        name = set_logo().logo.name
        make_public(cast.org_a)
        assert client.get(f"/media/{name}").status_code == 404


# --- Where the logo shows -----------------------------------------------------------------


class TestLogoShown:
    def test_on_the_organization_page(self, cast, login, set_logo):
        set_logo()
        url = c_url("organization", cast.collab, public_id=cast.org_a.public_id)
        page = login(cast.staff_c).get(url).content.decode()
        assert f"{logo_url(cast)}?v={cast.org_a.logo_version}" in page

    def test_on_directory_cards_and_the_public_directory(self, cast, login, client, set_logo):
        set_logo()
        make_service(cast.org_a, "Shelter beds")
        make_public(cast.org_a)

        members = login(cast.staff_c).get(c_url("directory", cast.collab)).content.decode()
        assert logo_url(cast) in members
        client.logout()
        public = client.get(p_url("directory", cast.collab)).content.decode()
        assert public_logo_url(cast) in public
        public_page = client.get(
            p_url("organization", cast.collab, public_id=cast.org_a.public_id)
        ).content.decode()
        assert public_logo_url(cast) in public_page

    def test_directory_query_count_does_not_grow_with_logos(
        self, cast, login, set_logo, count_queries
    ):
        client = login(cast.community)
        url = c_url("directory", cast.collab)
        set_logo()
        make_service(cast.org_a, "Service 0")
        one = count_queries(client, url)
        set_logo(cast.org_b)
        for n in range(1, 25):
            make_service(cast.org_a if n % 2 else cast.org_b, f"Service {n}")
        assert count_queries(client, url) == one
        assert all(f"Service {n}<" in count_queries.page for n in range(25))


# --- Contact people -----------------------------------------------------------------------


def contact_post(**fields) -> dict:
    data = {
        "name": "Rosa Delgado",
        "title": "Intake coordinator",
        "department": "Housing",
        "email": "rosa@org-a.example",
        "phone": "319-555-0142",
        "service": "",
        **fields,
    }
    return {f"contact-{k}": v for k, v in data.items()}


@pytest.fixture
def contact_a(cast) -> Contact:
    return directory_services.contact_create(
        actor=cast.admin_a, organization=cast.org_a, name="Rosa Delgado", title="Intake"
    )


class TestContactEditing:
    @pytest.mark.parametrize("who", ["admin_a", "staff_a"])
    def test_own_admins_and_staff_add_a_contact_person(self, cast, login, who):
        url = c_url("contact_create", cast.collab, public_id=cast.org_a.public_id)
        response = login(getattr(cast, who)).post(url, contact_post())

        assert response.status_code == 302
        assert response["Location"].endswith(edit_url(cast) + "#contacts")
        contact = Contact.objects.get(organization=cast.org_a)
        assert (contact.name, contact.title, contact.email, contact.phone) == (
            "Rosa Delgado",
            "Intake coordinator",
            "rosa@org-a.example",
            "319-555-0142",
        )
        assert contact.collaborative == cast.collab
        assert contact.service is None
        assert AuditEvent.objects.filter(action="directory.contact_created").exists()
        assert contact.history.get().history_user == getattr(cast, who).user

    def test_a_contact_for_one_service(self, cast, login):
        service = make_service(cast.org_a, "Shelter beds")
        url = c_url("contact_create", cast.collab, public_id=cast.org_a.public_id)
        login(cast.staff_a).post(url, contact_post(service=service.pk))

        assert Contact.objects.get().service == service

    def test_another_organizations_service_is_not_a_choice(self, cast, login):
        theirs = make_service(cast.org_b, "Their service")
        url = c_url("contact_create", cast.collab, public_id=cast.org_a.public_id)
        response = login(cast.staff_a).post(url, contact_post(service=theirs.pk))

        assert response.status_code == 200
        assert not Contact.objects.exists()
        fetched = login(cast.staff_a).get(edit_url(cast))
        assert fetched.status_code == 200
        page = fetched.content.decode()
        assert "Their service" not in page

    def test_the_service_refuses_a_service_of_another_organization(self, cast):
        theirs = make_service(cast.org_b, "Their service")
        with pytest.raises(ValidationError):
            directory_services.contact_create(
                actor=cast.staff_a, organization=cast.org_a, service=theirs, name="X"
            )
        assert not Contact.objects.exists()

    def test_a_contact_without_a_name_comes_back_with_what_was_typed(self, cast, login):
        url = c_url("contact_create", cast.collab, public_id=cast.org_a.public_id)
        response = login(cast.staff_a).post(url, contact_post(name="", title="Night manager"))

        assert response.status_code == 200
        page = response.content.decode()
        assert "This field is required." in page
        assert 'value="Night manager"' in page
        assert not Contact.objects.exists()

    def test_the_profile_page_lists_contacts_with_edit_and_remove(self, cast, login, contact_a):
        page = login(cast.staff_a).get(edit_url(cast)).content.decode()

        assert 'id="contacts"' in page
        assert "Rosa Delgado" in page
        assert c_url("contact_edit", cast.collab, public_id=contact_a.public_id) in page
        assert c_url("contact_delete", cast.collab, public_id=contact_a.public_id) in page
        assert c_url("contact_create", cast.collab, public_id=cast.org_a.public_id) in page
        # The two forms share the page: no field id is used twice.
        assert page.count('id="id_email"') == 1
        assert page.count('id="id_contact-email"') == 1

    def test_own_staff_edit_a_contact(self, cast, login, contact_a):
        url = c_url("contact_edit", cast.collab, public_id=contact_a.public_id)
        client = login(cast.staff_a)
        assert 'value="Rosa Delgado"' in client.get(url).content.decode()

        response = client.post(url, contact_post(name="Rosa M. Delgado", phone=""))

        assert response.status_code == 302
        contact_a.refresh_from_db()
        assert (contact_a.name, contact_a.phone) == ("Rosa M. Delgado", "")
        assert AuditEvent.objects.filter(action="directory.contact_updated").exists()

    def test_own_staff_remove_a_contact(self, cast, login, contact_a):
        url = c_url("contact_delete", cast.collab, public_id=contact_a.public_id)
        client = login(cast.staff_a)
        assert client.get(url).status_code == 405

        response = client.post(url)

        assert response.status_code == 302
        assert not Contact.objects.exists()
        assert AuditEvent.objects.filter(action="directory.contact_removed").exists()
        # The change history keeps who removed whom.
        removed = Contact.history.filter(history_type="-").get()
        assert removed.history_user == cast.staff_a.user

    @pytest.mark.parametrize(
        ("who", "status"),
        [("staff_b", 404), ("staff_c", 404), ("outsider", 404), ("backbone", 403)],
    )
    def test_nobody_else_adds_edits_or_removes(self, cast, login, contact_a, who, status):
        client = login(getattr(cast, who))
        create = c_url("contact_create", cast.collab, public_id=cast.org_a.public_id)
        edit = c_url("contact_edit", cast.collab, public_id=contact_a.public_id)
        delete = c_url("contact_delete", cast.collab, public_id=contact_a.public_id)

        assert client.post(create, contact_post(name="Intruder")).status_code == status
        assert client.get(edit).status_code == status
        assert client.post(edit, contact_post(name="Hijacked")).status_code == status
        assert client.post(delete).status_code == status

        contact_a.refresh_from_db()
        assert contact_a.name == "Rosa Delgado"
        assert not Contact.objects.filter(name="Intruder").exists()

    def test_the_services_refuse_others_too(self, cast, contact_a):
        for actor in (cast.staff_b, cast.backbone):
            with pytest.raises(PermissionDenied):
                directory_services.contact_update(actor=actor, contact=contact_a, name="x")
            with pytest.raises(PermissionDenied):
                directory_services.contact_delete(actor=actor, contact=contact_a)
            with pytest.raises(PermissionDenied):
                directory_services.contact_create(
                    actor=actor, organization=cast.org_a, name="Intruder"
                )
        assert Contact.objects.get() == contact_a

    def test_contact_changes_are_in_the_change_history(self, cast, login, contact_a):
        directory_services.contact_update(actor=cast.staff_a, contact=contact_a, title="Lead")
        url = c_url("organization_history", cast.collab, public_id=cast.org_a.public_id)
        page = login(cast.backbone).get(url).content.decode()

        assert "Contact person: Rosa Delgado" in page
        assert "Lead" in page


class TestContactsShown:
    @pytest.fixture
    def contacts(self, cast):
        service = make_service(cast.org_a, "Shelter beds")
        other = make_service(cast.org_a, "Rent help")
        Contact.objects.create(organization=cast.org_a, name="Rosa Delgado", phone="319-555-0142")
        Contact.objects.create(organization=cast.org_a, service=service, name="Sam Whitaker")
        Contact.objects.create(organization=cast.org_a, service=other, name="Rent Person")
        return service

    @pytest.mark.parametrize("who", ["staff_a", "staff_c", "community", "observer"])
    def test_members_see_every_contact_on_the_organization_page(self, cast, login, contacts, who):
        url = c_url("organization", cast.collab, public_id=cast.org_a.public_id)
        page = login(getattr(cast, who)).get(url).content.decode()

        for name in ("Rosa Delgado", "Sam Whitaker", "Rent Person"):
            assert name in page
        assert 'href="tel:319-555-0142"' in page

    def test_the_service_page_shows_its_own_and_the_organizations_contacts(
        self, cast, login, contacts
    ):
        url = c_url("service", cast.collab, public_id=contacts.public_id)
        page = login(cast.staff_c).get(url).content.decode()

        assert "Sam Whitaker" in page and "Rosa Delgado" in page
        assert "Rent Person" not in page  # another service's
        assert page.index("Sam Whitaker") < page.index("Rosa Delgado")

    def test_the_public_page_shows_contacts_of_a_public_organization(self, cast, client, contacts):
        make_public(cast.org_a)
        url = p_url("organization", cast.collab, public_id=cast.org_a.public_id)
        page = client.get(url).content.decode()
        assert "Rosa Delgado" in page and "Sam Whitaker" in page
        assert "/c/" not in page.split("People to ask for")[1].split("</section>")[0]

        service_page = client.get(
            p_url("service", cast.collab, public_id=contacts.public_id)
        ).content.decode()
        assert "Sam Whitaker" in service_page

    def test_a_members_only_organizations_contacts_are_not_public(self, cast, client, contacts):
        make_public(cast.org_b)  # the public directory exists, org A is members-only
        org_page = p_url("organization", cast.collab, public_id=cast.org_a.public_id)
        service_page = p_url("service", cast.collab, public_id=contacts.public_id)

        assert client.get(org_page).status_code == 404
        assert client.get(service_page).status_code == 404

    def test_another_collaborative_sees_none_of_them(self, cast, login, contacts):
        client = login(cast.outsider)
        url = c_url("organization", cast.collab, public_id=cast.org_a.public_id)
        assert client.get(url).status_code == 404
        assert not Contact.objects.visible_to(cast.outsider.user).exists()
        assert Contact.objects.visible_to(cast.staff_c.user).count() == 3

    def test_organization_page_query_count_does_not_grow_with_contacts(
        self, cast, login, count_queries
    ):
        client = login(cast.staff_c)
        url = c_url("organization", cast.collab, public_id=cast.org_a.public_id)
        service = make_service(cast.org_a, "Shelter beds")
        Contact.objects.create(organization=cast.org_a, service=service, name="Person 0")
        one = count_queries(client, url)
        for n in range(1, 25):
            Contact.objects.create(
                organization=cast.org_a, service=service if n % 2 else None, name=f"Person {n}"
            )
        assert count_queries(client, url) == one
        assert all(f"Person {n}<" in count_queries.page for n in range(25))
