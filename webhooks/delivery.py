"""Posting one event to one endpoint: signed per Standard Webhooks, to an address
checked against SSRF at delivery time, every attempt logged.

The outbox calls ``deliver`` for each message of kind "webhook" (one event for
one endpoint) and retries it on the ``retry`` schedule when it raises.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F

from core.events import log_event
from outbox.models import Message
from outbox.registry import GiveUp, Retry

from .models import Attempt, Endpoint

KIND = "webhook"


class Refused(GiveUp):
    """A URL the service will not call: not https (in production), or an address inside the network."""


class DeliveryFailed(Exception):
    pass


def retry() -> Retry:
    return Retry(
        attempts=settings.WEBHOOKS_MAX_ATTEMPTS,
        base=settings.WEBHOOKS_RETRY_BASE_SECONDS,
        longest=settings.WEBHOOKS_RETRY_MAX_SECONDS,
        jitter=0.2,
    )


def signature_headers(secret: str, *, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers: HMAC-SHA256 over ``id.timestamp.body`` with the decoded secret."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    signature = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp), "webhook-signature": f"v1,{signature}"}


def check_url(url: str) -> str:
    """The address to connect to for ``url``; Refused when the URL may not be called.

    Resolved here, at delivery, and connected to by that address: a host name
    that pointed outside when the endpoint was saved and points inside now (or
    between the check and the connection) is still refused.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("The URL must be http(s)://host/...")
    if settings.WEBHOOKS_REQUIRE_HTTPS and parts.scheme != "https":
        raise Refused("The URL must be https.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)}
    except (UnicodeError, ValueError) as exc:  # a port out of range, a label IDNA can not encode
        raise Refused(f"The URL's host or port is not valid: {exc}") from exc
    if not settings.WEBHOOKS_ALLOW_PRIVATE_URLS:
        for address in sorted(addresses):
            ip = ipaddress.ip_address(address.split("%")[0])
            if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
                ip = ip.ipv4_mapped
            if not ip.is_global or ip.is_multicast:
                raise Refused(
                    f"{parts.hostname} resolves to {ip}, an address inside a network (private, loopback, ...)."
                )
    return sorted(addresses)[0]


if TYPE_CHECKING:
    _Socket = socket.socket
else:  # a mixin at run time, placed before the socket class
    _Socket = object


class _Deadline(_Socket):
    """A socket whose every wait is cut to what is left of the delivery's time.

    A socket's timeout bounds each wait on its own, so a receiver that trickles its
    answer a byte at a time would hold the worker for as long as it liked; here the
    whole exchange, from the connection on, takes at most WEBHOOKS_TIMEOUT_SECONDS.
    """

    deadline = float("inf")

    def _wait(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")  # as the socket says when one wait runs out
        self.settimeout(left)

    def recv(self, *args: Any) -> bytes:
        self._wait()
        return super().recv(*args)

    def recv_into(self, *args: Any) -> int:
        self._wait()
        return super().recv_into(*args)

    def sendall(self, *args: Any) -> None:
        self._wait()
        super().sendall(*args)

    def do_handshake(self, *args: Any) -> None:  # TLS's
        self._wait()
        super().do_handshake(*args)  # type: ignore[misc]  # on the SSL socket this is mixed into


class _DeadlineSocket(_Deadline, socket.socket):
    pass


class _DeadlineSSLSocket(_Deadline, ssl.SSLSocket):
    pass


def _connect(address: str, port: int, timeout: float | None) -> _DeadlineSocket:
    deadline = time.monotonic() + timeout if timeout is not None else float("inf")
    plain = socket.create_connection((address, port), timeout)
    sock = _DeadlineSocket(fileno=plain.detach())
    sock.deadline = deadline
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address; the Host header still names the host."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = _connect(self.address, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, and the certificate is checked for the host name (SNI), not the address."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        self.tls.sslsocket_class = _DeadlineSSLSocket
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        sock = _connect(self.address, self.port, self.timeout)
        tls = self.tls.wrap_socket(sock, server_hostname=self.host, do_handshake_on_connect=False)
        assert isinstance(tls, _DeadlineSSLSocket)
        tls.deadline = sock.deadline
        tls.do_handshake()
        self.sock = tls


def post(url: str, *, address: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
    parts = urlsplit(url)
    https = parts.scheme == "https"
    connection_class = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    port = parts.port or (443 if https else 80)
    assert parts.hostname is not None  # check_url refused a URL without one
    connection = connection_class(parts.hostname, port, address=address, timeout=settings.WEBHOOKS_TIMEOUT_SECONDS)
    try:
        path = parts.path or "/"
        connection.request("POST", f"{path}?{parts.query}" if parts.query else path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(2000).decode("utf-8", "replace")
    finally:
        connection.close()


def deliver(message: Message) -> None:
    endpoint = Endpoint.objects.filter(pk=int(message.recipient)).first()
    if endpoint is None:
        raise GiveUp("The endpoint was deleted.")
    if not endpoint.active:
        raise GiveUp(f"The endpoint is inactive. {endpoint.deactivated_reason}".strip())
    event = message.data
    body = json.dumps(event, separators=(",", ":")).encode()
    headers = {
        "content-type": "application/json",
        "user-agent": "cinema-webhooks/1",
        # Real time, whatever clock the rest uses: receivers compare it with theirs.
        **signature_headers(endpoint.secret, msg_id=event["id"], timestamp=int(time.time()), body=body),
    }
    started = time.monotonic()
    attempt = Attempt(endpoint=endpoint, message=message, event_id=event["id"], event_type=event["type"])
    try:
        status, text = post(endpoint.url, address=check_url(endpoint.url), headers=headers, body=body)
    except Refused as exc:
        _record(attempt, started, error=str(exc))
        raise
    except (OSError, http.client.HTTPException) as exc:  # refused, reset, timed out, not HTTP, no DNS
        _record(attempt, started, error=f"{exc.__class__.__name__}: {exc}")
        _failed(endpoint, f"{exc.__class__.__name__}: {exc}")
        raise DeliveryFailed(str(exc)) from exc
    _record(attempt, started, status_code=status, response=text)
    if 200 <= status < 300:
        if endpoint.consecutive_failures:
            Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        return
    if status == 410:
        _deactivate(endpoint, "The receiver answered 410 Gone.")
        raise GiveUp("The receiver answered 410 Gone; the endpoint is deactivated.")
    _failed(endpoint, f"answered {status}")
    raise DeliveryFailed(f"The receiver answered {status}.")


def _record(attempt: Attempt, started: float, **fields: object) -> None:
    for name, value in fields.items():
        setattr(attempt, name, value)
    attempt.duration_ms = int((time.monotonic() - started) * 1000)
    attempt.response = attempt.response[:500]
    attempt.error = attempt.error[:500]
    attempt.save()


def _failed(endpoint: Endpoint, why: str) -> None:
    row = Endpoint.objects.filter(pk=endpoint.pk)
    row.update(consecutive_failures=F("consecutive_failures") + 1)
    # The count as stored after the increment, not the one read before the delivery:
    # deliveries failing at the same moment each count the others' failures too.
    failures = row.values_list("consecutive_failures", flat=True).first()
    if failures is not None and failures >= settings.WEBHOOKS_DISABLE_AFTER_FAILURES:
        _deactivate(endpoint, f"{failures} deliveries in a row failed; the last one: {why}.")


def _deactivate(endpoint: Endpoint, reason: str) -> None:
    Endpoint.objects.filter(pk=endpoint.pk).update(active=False, deactivated_reason=reason[:300])
    log_event("webhook_endpoint_deactivated", endpoint_id=endpoint.pk, reason=reason)
