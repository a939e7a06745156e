from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def rate_limits_are_shared(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """Throttle counters in a per-process cache do not add up across workers: N workers allow N times the rate."""
    if not settings.THROTTLING or not isinstance(caches["default"], LocMemCache | DummyCache):
        return []
    return [
        Warning(
            "Rate limits are counted per process: the default cache is local to each worker.",
            hint="Set REDIS_URL, or leave CACHES to the settings' shared default (the database cache).",
            id="core.W001",
        )
    ]
