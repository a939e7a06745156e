import time

import pytest

from core.tests.realservers import SMTPServer

CLAIM_SECONDS = 3


@pytest.fixture
def smtp(settings):
    """A real SMTP server of the test's own, which this process's deliveries use."""
    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 2
    settings.OUTBOX_RETRY_BASE_SECONDS, settings.OUTBOX_CLAIM_SECONDS = 1, CLAIM_SECONDS
    yield server
    server.stop()


def until(condition, timeout: float = 30, then=lambda: None):
    """Wait for ``condition``, calling ``then`` (e.g. the sweep, as beat would) every half second."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        then()
        time.sleep(0.5)
