import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reentry.settings")
application = get_wsgi_application()

# A web process's connections see no person-level row until a request names its person
# (reentry/rowsecurity.py).
from reentry import rowsecurity  # noqa: E402

rowsecurity.set_process_default(rowsecurity.NOBODY)
