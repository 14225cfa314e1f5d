"""The forms of the HSDS import page: the upload, and the signed token that confirms it."""

import zipfile
from pathlib import PurePosixPath
from typing import cast

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from reentry.uploads import ZipRefused, check_zip
from stakeholders.directory.hsds.package import DESCRIPTOR, MAX_FILE_BYTES, MAX_TOTAL_BYTES
from stakeholders.models import Collaborative, Sector

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_SALT = "stakeholders.directory.hsds-import"
TOKEN_MAX_AGE = 60 * 60  # seconds between the preview and "Import now"


class HsdsUploadForm(forms.Form):
    package = forms.FileField(
        label=_("HSDS datapackage (.zip)"),
        help_text=_("A zip of CSV files with datapackage.json, at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    sector = forms.ModelChoiceField(
        queryset=Sector.objects.none(),
        required=False,
        label=_("Sector for new organizations"),
        empty_label=_("Imported (a new sector)"),
        help_text=_(
            "A sector named “Imported” is made if needed, to sort out later. Organizations "
            "already in the directory keep their sector."
        ),
    )
    public = forms.BooleanField(
        required=False,
        label=_("Make new organizations public"),
        help_text=_("Otherwise only members of the collaborative can see them."),
    )

    def __init__(self, *args, collaborative: Collaborative, **kwargs):
        super().__init__(*args, **kwargs)
        sector = cast(forms.ModelChoiceField, self.fields["sector"])
        sector.queryset = collaborative.sectors.order_by("order", "name")

    def clean_package(self):
        upload = self.cleaned_data["package"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise forms.ValidationError(_("This is not a zip file.")) from exc
        finally:
            upload.seek(0)
        if not any(PurePosixPath(name).name == DESCRIPTOR for name in names):
            raise forms.ValidationError(_("The zip file has no datapackage.json."))
        try:  # from the zip's directory alone, before anything is unpacked
            check_zip(upload, max_member_bytes=MAX_FILE_BYTES, max_total_bytes=MAX_TOTAL_BYTES)
        except ZipRefused as exc:
            raise forms.ValidationError(exc.message) from exc
        return upload


def sign_upload(
    *,
    name: str,
    source: str,
    collaborative: Collaborative,
    user_id: int,
    sector_id: int | None,
    public: bool,
) -> str:
    """A token naming the stored upload and the choices made; only this server can make one."""
    payload = {
        "name": name,
        "source": source,
        "collaborative": collaborative.pk,
        "user": user_id,
        "sector": sector_id,
        "public": public,
    }
    return signing.dumps(payload, salt=UPLOAD_SALT)


class HsdsConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, collaborative: Collaborative, user_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.collaborative = collaborative
        self.user_id = user_id
        self.expired_name: str | None = None  # an expired upload's file, to delete

    def clean_token(self) -> dict:
        token = self.cleaned_data["token"]
        try:
            payload = signing.loads(token, salt=UPLOAD_SALT, max_age=TOKEN_MAX_AGE)
        except signing.SignatureExpired as exc:
            # The signature is good, only old: the file it names is ours to delete.
            payload = signing.loads(token, salt=UPLOAD_SALT)
            if self._ours(payload):
                self.expired_name = payload["name"]
            raise forms.ValidationError(
                _("The preview is more than an hour old. Upload the file again.")
            ) from exc
        except signing.BadSignature as exc:
            raise forms.ValidationError(
                _("This import could not be confirmed. Upload the file again.")
            ) from exc
        if not self._ours(payload):
            raise forms.ValidationError(
                _("This import could not be confirmed. Upload the file again.")
            )
        return payload

    def _ours(self, payload) -> bool:
        return (
            isinstance(payload, dict)
            and payload.get("collaborative") == self.collaborative.pk
            and payload.get("user") == self.user_id
            and isinstance(payload.get("name"), str)
        )
