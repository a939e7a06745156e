"""A client-side deadline for database round trips.

PostgreSQL's statement_timeout is enforced by the server; a server that does
not answer at all (paused, a network that drops packets, a stalled proxy)
never enforces it, and the worker would wait until gunicorn kills it. The
watchdog is one thread per process that shuts down the socket of a round trip
still waiting past its deadline: the blocked read returns, the driver raises
OperationalError, and the request answers 503 (core/exceptions) in bounded time.
The next request opens a new connection, so the service recovers by itself.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

logger = logging.getLogger(__name__)
TICK_SECONDS = 0.2


class Watchdog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: dict[int, tuple[float, int]] = {}
        self._ids = itertools.count()
        self._pid: int | None = None

    def _ensure_thread(self) -> None:
        # Started lazily, and again in a forked child (threads do not survive fork).
        if self._pid != os.getpid():
            self._pid = os.getpid()
            threading.Thread(target=self._run, name="db-watchdog", daemon=True).start()

    @contextmanager
    def deadline(self, fileno: int, seconds: float) -> Iterator[None]:
        """Cut the connection on socket ``fileno`` if the block takes longer than ``seconds``."""
        ticket = next(self._ids)
        with self._lock:
            self._ensure_thread()
            self._active[ticket] = (time.monotonic() + seconds, fileno)
        try:
            yield
        finally:
            with self._lock:
                self._active.pop(ticket, None)

    def _run(self) -> None:
        while True:
            time.sleep(TICK_SECONDS)
            now = time.monotonic()
            with self._lock:
                late = [ticket for ticket, (ends, _) in self._active.items() if ends <= now]
                cut = [self._active.pop(ticket)[1] for ticket in late]
            for fileno in cut:
                logger.error("database did not answer in time: closing the connection")
                try:
                    # A duplicate of the descriptor: shutting it down ends the
                    # connection for the thread blocked on the original.
                    with socket.socket(fileno=os.dup(fileno)) as sock:
                        sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed


watchdog = Watchdog()
