"""Datapackages uploaded for a preview wait in storage until "Import now" or "Cancel".

A preview nobody confirms or cancels would leave its file behind; ``uploads_sweep``
(run hourly by Celery beat) deletes any older than the confirm token can live.
"""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

UPLOAD_FOLDER = "hsds-imports/"
# The confirm token lives an hour (hsds_forms.TOKEN_MAX_AGE); keep files a while longer.
KEEP_FOR = timedelta(hours=2)


def uploads_sweep(*, keep_for: timedelta = KEEP_FOR) -> int:
    """Delete uploaded datapackages older than ``keep_for``; return how many."""
    folder = UPLOAD_FOLDER.rstrip("/")
    try:
        # Not exists(folder): object storage has no folders, only names under a prefix.
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:  # nothing uploaded yet, on the local disk
        return 0
    cutoff = timezone.now() - keep_for
    removed = 0
    for name in files:
        path = f"{UPLOAD_FOLDER}{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            removed += 1
    return removed
