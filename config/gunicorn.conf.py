"""gunicorn's configuration for production: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Every value can be set from the environment. The worker timeout is well
above the database's own bounds (connect, statement, watchdog: about 10 s by
default), so a stalled database ends in the app's JSON 503, not in gunicorn
killing the worker.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Sync workers: one request at a time each; the booking path is short and the
# database is the shared resource. Default: two per core, plus one.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# The app is loaded once, in the master, and every worker is a fork of it
# (config/wsgi.py warms it up): a worker starts in milliseconds instead of
# importing Django and every app again, which under load cost a second of CPU
# each time max_requests replaced one, and stalled the requests it was to serve.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"
# A worker is replaced after this many requests (with jitter), bounding slow leaks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "1000"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
