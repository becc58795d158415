"""The WSGI application (waitress serves it: `iupjong portal serve`)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iupjong_xl.portal.settings")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
