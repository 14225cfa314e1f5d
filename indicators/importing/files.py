"""Reading uploaded indicator files: the shared table reader (``reentry.tabular``) with
the indicator uploads' own size limit (``INDICATOR_UPLOAD_MAX_BYTES``)."""

from django.conf import settings
from django.utils.translation import gettext as _

from reentry.tabular import (
    FileProblem,
    Source,
    file_format,
    headers_key,
    normalise_header,
    open_source,
    read_headers,
)
from reentry.tabular import cell_text as _text

__all__ = [
    "FileProblem",
    "Source",
    "_text",
    "check_size",
    "file_format",
    "headers_key",
    "max_upload_bytes",
    "normalise_header",
    "open_source",
    "read_headers",
    "too_large_message",
]


def max_upload_bytes() -> int:
    return int(getattr(settings, "INDICATOR_UPLOAD_MAX_BYTES", 50 * 1024 * 1024))


def too_large_message(size: int | None = None) -> str:
    from django.template.defaultfilters import filesizeformat

    limit = filesizeformat(max_upload_bytes())
    if size is None:
        return _(
            "This file is over the %(limit)s limit. Split it into smaller files (for "
            "example one per year) and upload each one."
        ) % {"limit": limit}
    return _(
        "This file is %(size)s; the limit is %(limit)s. Split it into smaller files "
        "(for example one per year) and upload each one."
    ) % {"size": filesizeformat(size), "limit": limit}


def check_size(size: int) -> None:
    """Refuse a file over the size limit before reading any of it."""
    if size > max_upload_bytes():
        raise FileProblem(too_large_message(size))
