"""Stored files as local files, whatever the storage backend (issue 18).

Uploads are kept through Django's storage API: on this machine's disk in the embedded
default, on S3-compatible object storage in production (STORAGES in reentry/settings.py),
where any web host or worker may have to read a file another host saved. The readers of
uploaded tables (CSV, .xlsx) and datapackages want a local path: ``local_path`` gives
the file's own path when the storage has one, and otherwise a copy in a temporary
folder, deleted when the block ends.
"""

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage, default_storage

CHUNK = 1024 * 1024


@contextmanager
def local_path(file: File | str, *, storage: Storage | None = None) -> Iterator[Path]:
    """A local path holding ``file``: a stored file (a FieldFile, or a name in
    ``storage``, the default storage unless given) or an upload being received."""
    temporary = getattr(file, "temporary_file_path", None)
    if temporary is not None:  # an upload Django already spooled to disk
        yield Path(temporary())
        return
    if isinstance(file, str):
        name, storage = file, storage or default_storage
    elif hasattr(file, "storage") and getattr(file, "name", None):
        name, storage = str(file.name), file.storage
    else:  # an upload held in memory
        with _temporary_copy(file, Path(file.name or "").suffix) as path:
            yield path
        return
    try:
        own = Path(storage.path(name))
    except NotImplementedError:  # object storage: no local path
        own = None
    if own is not None:
        yield own
        return
    with storage.open(name, "rb") as stored, _temporary_copy(stored, Path(name).suffix) as path:
        yield path


@contextmanager
def _temporary_copy(source, suffix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="reentry-file-") as folder:
        path = Path(folder) / f"file{suffix}"
        if hasattr(source, "seek"):
            source.seek(0)
        with path.open("wb") as local:
            shutil.copyfileobj(source, local, CHUNK)
        yield path
