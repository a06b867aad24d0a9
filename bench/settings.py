"""Settings for benchmark runs: the app's own settings in production mode, plus bench.urls.

Production mode (DEBUG off: cached templates, no query log) is what is measured. The secret key is
made up for the run unless SECRET_KEY is set; it is put in the environment so the gunicorn server
the benchmark starts signs invitation links with the same key as the process that made them.
"""

import os
import secrets
import warnings

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(40))
# Requests are plain HTTP on loopback (in-process or to gunicorn on 127.0.0.1).
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from betterway.settings import *  # noqa: E402, F403
from betterway.settings import ALLOWED_HOSTS, INSTALLED_APPS, LOGGING, STORAGES  # noqa: E402

if "bench" not in INSTALLED_APPS:  # betterway.settings installs it only with DEBUG on
    INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "127.0.0.1", "localhost", "testserver"]
# Static files are not measured; the plain storage needs no collectstatic manifest.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Quiet runs: WhiteNoise warns that collectstatic has not run (static files are not measured),
# and every force_login() of the benchmark would log a sign-in.
warnings.filterwarnings("ignore", message="No directory at")
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "betterway.auth": {"level": "WARNING"}}}
