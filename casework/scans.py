"""The scan of a consent signed on paper: check an upload before anything keeps it.

A scan is a PDF, JPEG or PNG file of at most 10 MB. What kind of file it is comes from
its first bytes, never from its name or the content type the browser sent. A photo is
decoded and encoded again from its bare pixels, so nothing of its metadata is kept (a
phone photo carries the place it was taken: where the person signed). A PDF is kept as
it came, and refused when it holds scripts, launch actions or attached files, which no
scanner writes. It is stored under a random name
(``casework.services.consents``) and only ever served as a download through
``casework.views.consents.consent_scan``, never from MEDIA_URL.
"""

import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
# A page scanned at 600 dpi on Legal paper is about 5100 × 8400 = 43 million pixels.
MAX_PIXELS = 60_000_000

PDF_MAGIC = b"%PDF-"
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Names of PDF objects that run something or carry another file. PDF names may write a
# letter as #xx, so the check reads names with those escapes undone.
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")

CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}


@dataclass(frozen=True)
class PreparedScan:
    data: bytes
    extension: str

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]


def _error(message: str) -> ValidationError:
    return ValidationError({"scan": message})


def _too_large() -> ValidationError:
    return _error(_("The scan is larger than 10 MB. Scan at a lower resolution and try again."))


def prepare_scan(upload: File) -> PreparedScan:
    """The scan to store, or a ValidationError (on the ``scan`` field) saying what is wrong."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise _too_large()
    upload.seek(0)
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise _too_large()
    if raw.startswith(PDF_MAGIC):
        return _prepare_pdf(raw)
    if raw.startswith(JPEG_MAGIC) or raw.startswith(PNG_MAGIC):
        return _prepare_image(raw)
    raise _error(_("Upload the scan as a PDF file or a JPEG or PNG photo."))


def _prepare_pdf(raw: bytes) -> PreparedScan:
    if b"%%EOF" not in raw[-2048:]:
        raise _error(_("The PDF file is cut short or damaged. Scan the form again."))
    plain = PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)
    if PDF_ACTIVE.search(plain):
        raise _error(
            _(
                "This PDF holds scripts or attached files, which a scan never does. "
                "Scan the paper form again, or upload a photo of it."
            )
        )
    return PreparedScan(raw, "pdf")


def _prepare_image(raw: bytes) -> PreparedScan:
    try:
        image: Image.Image = Image.open(io.BytesIO(raw), formats=["JPEG", "PNG"])
    except (UnidentifiedImageError, OSError):
        raise _error(_("The photo is damaged. Take it again and upload the new file.")) from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _error(_("The photo has too many pixels. Take it at a lower resolution."))
    kind = image.format or "PNG"
    try:
        image.load()
        image = ImageOps.exif_transpose(image)  # a phone photo stays the right way up
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise _error(_("The photo is damaged. Take it again and upload the new file.")) from None
    # A new image from the bare pixels: nothing of the file's metadata can come along.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    if kind == "JPEG":
        clean.save(out, "JPEG", quality=90)
        return PreparedScan(out.getvalue(), "jpg")
    clean.save(out, "PNG", optimize=True)
    return PreparedScan(out.getvalue(), "png")
