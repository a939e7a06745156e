"""gunicorn -c config/gunicorn.conf.py bench.plain.wsgi (DJANGO_SETTINGS_MODULE=bench.plain.settings)."""

import gc

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
# As config/wsgi.py does for the app: the same server set-up for both, only the application differs.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
gc.collect()
gc.freeze()
