import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reentry.settings")
django.setup(set_prefix=False)  # as get_wsgi_application(), with the front door before it

from reentry.pagecache import FrontDoorHandler  # noqa: E402

application = FrontDoorHandler()

# A web process's connections see no person-level row until a request names its person
# (reentry/rowsecurity.py).
from reentry import rowsecurity  # noqa: E402

rowsecurity.set_process_default(rowsecurity.NOBODY)
