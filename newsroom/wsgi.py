"""WSGI entry point: `gunicorn newsroom.wsgi` in production."""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

# Fail at start-up rather than at the first request: Django refuses an empty SECRET_KEY when it is read.
if not settings.SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")

application = get_wsgi_application()
