"""The Redis cache, made optional: an outage costs speed, never an answer.

Everything kept in the cache can be done without: cached reads are computed
again, throttle counters start empty (the limits fail open; the log-in lockout
lives in the database). So a Redis that refuses, resets or stalls makes every
cache call a miss or a no-op instead of an exception. After a failure the
process skips Redis for RETRY_SECONDS rather than paying a timeout on each
call, then tries again: the service recovers by itself when Redis returns.

Versions bumped during an outage were lost, so the first success after one
runs the recovery hooks (core/httpcache.py retires every cached response).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
RETRY_SECONDS = 2.0

recovery_hooks: list[Callable[[], None]] = []
# cache.incr's contract: add to a counter that exists, or fail (nil) and create nothing.
INCR_IF_EXISTS = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end"
T = TypeVar("T")
Timeout = float | None  # seconds, None for ever; DEFAULT_TIMEOUT (typed as a float) for the default


class _OneClientPerPool(RedisCacheClient):
    """Django's client makes a new redis.Redis object for every cache call (a
    few percent of a booking's CPU, with its one call); redis-py's clients are
    thread-safe and take their connections from the pool, so one per pool does."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]  # Django's, untyped
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = super().get_client(key, write=write)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _OneClientPerPool
        self._down_until = 0.0
        self._was_down = False
        self._state = threading.Lock()

    def _call(self, operation: Callable[[], T], fallback: T) -> T:
        if time.monotonic() < self._down_until:
            return fallback
        try:
            if self._was_down:
                self._recover()
            return operation()
        except RedisError as exc:
            with self._state:
                if not self._was_down:
                    logger.error("cache unavailable, going on without it: %s", exc.__class__.__name__)
                self._down_until, self._was_down = time.monotonic() + RETRY_SECONDS, True
            return fallback

    def _recover(self) -> None:
        """Back after an outage: run the recovery hooks before anything is read."""
        self._cache.get_client().ping()  # RedisError while still down
        with self._state:
            recovered, self._was_down = self._was_down, False
        if recovered:
            logger.warning("cache available again")
            for hook in recovery_hooks:
                hook()

    def available(self) -> bool:
        """Ask Redis now, whatever the last calls saw (for /readyz)."""
        try:
            return bool(self._cache.get_client().ping())
        except RedisError:
            return False

    def add(self, key: str, value: Any, timeout: Timeout = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call(lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False)

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return self._call(lambda: super(ResilientRedisCache, self).get(key, default, version), default)

    def set(self, key: str, value: Any, timeout: Timeout = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        return self._call(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key: str, timeout: Timeout = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call(lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key: str, version: int | None = None) -> bool:
        return self._call(lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def get_many(self, keys: Iterable[str], version: int | None = None) -> dict[str, Any]:
        return self._call(lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: str, version: int | None = None) -> bool:
        return self._call(lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        def increment() -> int | None:
            # Django's Redis backend asks EXISTS, then INCRBY: two round trips (and
            # racy). Every sale bumps a version counter: one script, one round trip.
            redis_key = self.make_and_validate_key(key, version=version)
            client = self._cache.get_client(redis_key, write=True)
            value: int | None = client.eval(INCR_IF_EXISTS, 1, redis_key, delta)
            return value

        result = self._call(increment, None)
        if result is None:
            raise ValueError(f"Key '{key}' not found (or the cache is unavailable)")
        return result

    def set_many(
        self, data: dict[str, Any], timeout: Timeout = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[str]:
        return self._call(lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), list(data))

    def delete_many(self, keys: Iterable[str], version: int | None = None) -> None:
        return self._call(lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)

    def clear(self) -> None:
        return self._call(lambda: super(ResilientRedisCache, self).clear(), None)
