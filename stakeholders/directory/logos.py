"""Organization logos: check an upload, and re-encode it clean and small.

A logo is a PNG, JPEG or WebP file of at most 2 MB and 2000 × 2000 pixels. What is stored
is never the uploaded file: the pixels are decoded, turned upright, scaled to fit 512 × 512
and encoded again into a new image that carries no metadata at all (no EXIF, no GPS
position, no camera or editing software, no comments).
"""

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
MAX_UPLOAD_SIDE = 2000
MAX_STORED_SIDE = 512

# Pillow format -> (file extension, content type, modes the encoder takes as they are).
FORMATS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "PNG": ("png", "image/png", ("RGB", "RGBA", "L", "LA")),
    "JPEG": ("jpg", "image/jpeg", ("RGB", "L")),
    "WEBP": ("webp", "image/webp", ("RGB", "RGBA")),
}
CONTENT_TYPES = {extension: content_type for extension, content_type, _modes in FORMATS.values()}


@dataclass(frozen=True)
class PreparedLogo:
    data: bytes
    extension: str


def _error(message: str) -> ValidationError:
    return ValidationError({"logo": message})


def prepare_logo(upload: File) -> PreparedLogo:
    """The logo to store, or a ValidationError (on the ``logo`` field) saying what is wrong."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise _error(_("The logo is larger than 2 MB. Save a smaller image and try again."))
    upload.seek(0)
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise _error(_("The logo is larger than 2 MB. Save a smaller image and try again."))
    try:
        # Only these three decoders are tried: an SVG, a GIF or a PDF is not an image here.
        image: Image.Image = Image.open(io.BytesIO(raw), formats=list(FORMATS))
    except (UnidentifiedImageError, OSError):
        raise _error(_("Upload the logo as a PNG, JPEG or WebP image.")) from None
    # The size is in the header: check it before decoding any pixels.
    width, height = image.size
    if width > MAX_UPLOAD_SIDE or height > MAX_UPLOAD_SIDE:
        raise _error(
            _("The logo is %(width)d × %(height)d pixels; the most is 2000 × 2000.")
            % {"width": width, "height": height}
        )
    kind = image.format or ""
    extension, _content_type, modes = FORMATS[kind]
    try:
        image.load()
        image = ImageOps.exif_transpose(image)  # a phone photo stays the right way up
        if image.mode not in modes:
            has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
                "transparency" in image.info
            )
            image = image.convert("RGBA" if has_alpha and "RGBA" in modes else "RGB")
        image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE), Image.Resampling.LANCZOS)
    except (OSError, ValueError, SyntaxError):
        raise _error(
            _("The image file is damaged. Save it again and upload the new file.")
        ) from None
    # A new image from the bare pixels: nothing of the file's metadata can come along.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    if kind == "PNG":
        clean.save(out, kind, optimize=True)
    else:
        clean.save(out, kind, quality=85)
    return PreparedLogo(out.getvalue(), extension)
