import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()


def _warm_up() -> None:
    """Import what the first request would (the URL patterns, and through them
    every view, serializer and the schema's classes), so that gunicorn's master,
    which loads the app once (preload_app), hands it ready to every worker it forks."""
    import gc

    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  # the property imports every urls module
    connections.close_all()  # a forked worker must never share a connection; none is open here, to be sure
    # What is loaded now lives as long as the process: out of the garbage
    # collector's sight, its memory pages stay shared with the workers instead
    # of being copied into each one by the collector's first pass.
    gc.collect()
    gc.freeze()


_warm_up()
