"""Real servers that fault tests start, break and stop themselves (never the machine's shared ones)."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.message
import email.policy
import http.server
import os
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from scripts.servers import wait_until_up


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require(binary: str, flag: str) -> str:
    """The path of ``binary``; skip without it, or fail when the ``flag`` variable asks for it."""
    path = shutil.which(binary)
    if path:
        return path
    if os.environ.get(flag) == "1":
        pytest.fail(f"{flag}=1 but {binary} is not installed")
    pytest.skip(f"needs {binary}")


class RedisServer:
    """A private redis-server on a free port, keeping nothing on disk."""

    def __init__(self) -> None:
        self.binary = require("redis-server", "REQUIRE_REDIS")
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="redis-fault-"))
        self.log = self.dir / "redis.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.dir), "--logfile", str(self.log)]
        )
        wait_until_up(self.url, name=f"redis-server :{self.port}", log=self.log, process=self.process, ready=self.ping)

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def pause(self) -> None:
        """SIGSTOP: connections are accepted by the kernel, nothing answers."""
        assert self.process is not None, "start() first"
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None, "start() first"
        self.process.send_signal(signal.SIGCONT)

    def close(self) -> None:
        if self.process is not None:
            self.resume()
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class StallingProxy:
    """A TCP proxy in front of a real server that can stop forwarding, as a hung server or network would.

    While paused it still accepts connections and reads nothing: clients see a
    server that is there and never answers.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.running = threading.Event()
        self.running.set()
        self.closed = False
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def pause(self) -> None:
        self.running.clear()

    def resume(self) -> None:
        self.running.set()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.running.wait()
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            self.sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        peers = {a: b, b: a}
        try:
            while not self.closed:
                if not self.running.wait(timeout=0.1):
                    continue
                readable, _, _ = select.select(list(peers), [], [], 0.1)
                for sock in readable:
                    if not self.running.is_set():
                        break
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
        except OSError:
            return
        finally:
            a.close()
            b.close()

    def close(self) -> None:
        self.closed = True
        self.running.set()
        self.listener.close()
        for sock in self.sockets:
            sock.close()


class SMTPServer:
    """A real SMTP server (aiosmtpd) on a free port, keeping every message it accepts.

    ``stall`` makes it sit on each recipient for that many seconds before
    answering (setting it to 0 ends a stall in progress), as a slow mail server
    does; a client that gives up or dies in the meantime has delivered nothing.
    """

    def __init__(self, stall: float = 0) -> None:
        self.port = free_port()
        self.stall = stall
        self.stalled = 0  # clients sitting in a stall right now
        self.messages: list[email.message.EmailMessage] = []
        self.controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802  # aiosmtpd's hook
        # Stalled before the message is sent: a client that gives up has delivered nothing.
        deadline = time.monotonic() + self.stall
        self.stalled += 1
        try:
            while self.stall and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        finally:
            self.stalled -= 1
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802  # aiosmtpd's hook name
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        self.messages.append(message)
        return "250 Message accepted"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def wait_for(self, count: int, timeout: float = 20) -> list[email.message.EmailMessage]:
        """The messages, once at least ``count`` arrived (or the timeout passed)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


class CeleryWorker:
    """A real Celery worker process (`celery -A config worker`), which a test may kill and start again.
    With ``beat``, it runs the schedule too (the outbox's sweep), as `make worker` does."""

    def __init__(self, environ: dict[str, str], pool: tuple[str, ...] = ("--pool", "solo"), beat: bool = False) -> None:
        self.environ = environ
        self.pool = pool
        self.beat = beat
        self.dir = Path(tempfile.mkdtemp(prefix="celery-worker-"))
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def log(self) -> Path:
        return self.dir / f"worker-{self.starts}.log"

    def start(self) -> None:
        self.starts += 1
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", *self.pool, "--loglevel", "INFO"]
        command += [
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--hostname",
            f"test{self.starts}@%h",
        ]
        if self.beat:
            command += ["--beat", "--schedule", str(self.dir / "beat-schedule")]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=Path(__file__).resolve().parents[2], env=self.environ, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while "ready." not in self.log.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Celery worker did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL, as an out-of-memory killer or a pulled plug would: no clean-up, no acknowledgement."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class LocalStripe:
    """localstripe (a stateful fake Stripe server) on a free port, and what a
    customer's browser does there with Stripe.js: put a card on a PaymentIntent,
    confirm it, pass 3-D Secure. Its webhooks, signed with ``webhook_secret``,
    go to the URL given to ``send_webhooks_to``."""

    webhook_secret = "whsec_localstripe_test"

    def __init__(self) -> None:
        binary = Path(sys.executable).with_name("localstripe")
        if not binary.exists():
            if os.environ.get("REQUIRE_STRIPE") == "1":
                pytest.fail("REQUIRE_STRIPE=1 but localstripe is not installed")
            pytest.skip("needs localstripe (requirements-dev.txt)")
        self.port = free_port()
        self.log = Path(tempfile.mkdtemp(prefix="localstripe-")) / "localstripe.log"
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [str(binary), "--port", str(self.port), "--from-scratch"], stdout=out, stderr=subprocess.STDOUT
            )
        wait_until_up(self.url + "/v1/events", name="localstripe", log=self.log, process=self.process)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def call(self, method: str, path: str, **form: str) -> dict:
        import requests

        auth = ("sk_test_localstripe", "")
        if method == "GET":
            answer = requests.get(self.url + path, params=form, auth=auth, timeout=10)
        else:
            answer = requests.request(method, self.url + path, data=form, auth=auth, timeout=10)
        body = answer.json() if answer.content else {}
        if answer.status_code >= 400:
            return {"error": body.get("error", body), "status": answer.status_code}
        return body

    def send_webhooks_to(self, url: str) -> None:
        self.call("POST", "/_config/webhooks/project", url=url, secret=self.webhook_secret)

    def pay(self, intent: str, card: str) -> dict:
        """The customer's card on the intent, then confirmed, as Stripe.js would."""
        method = self.call(
            "POST",
            "/v1/payment_methods",
            type="card",
            **{"card[number]": card, "card[exp_month]": "12", "card[exp_year]": "2035", "card[cvc]": "123"},
        )
        self.call("POST", f"/v1/payment_intents/{intent}", payment_method=method["id"])
        return self.call("POST", f"/v1/payment_intents/{intent}/confirm")

    def authenticate(self, intent: str, client_secret: str, success: bool = True) -> dict:
        """The customer passes (or fails) 3-D Secure."""
        return self.call(
            "POST",
            f"/v1/payment_intents/{intent}/_authenticate",
            client_secret=client_secret,
            success="true" if success else "false",
        )

    def refunds(self, intent: str) -> list[dict]:
        return self.call("GET", "/v1/refunds", payment_intent=intent)["data"]

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


class HTTPReceiver:
    """A real HTTP server on a free port that records every request, as a webhook receiver would.

    It answers the statuses in ``answers`` in turn, then 200; ``stall`` makes
    it wait that many seconds before answering; ``trickle`` makes it send its
    answer a byte at a time, that many seconds apart; ``headers`` and ``body``
    replace its answer's headers and its short body.
    """

    def __init__(
        self,
        answers: list[int] | None = None,
        stall: float = 0,
        trickle: float = 0,
        tls: Path | None = None,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> None:
        self.answers = list(answers or [])
        answer_headers, answer_body = headers or {}, body
        self.stall = stall
        self.trickle = trickle
        self.tls = tls
        self.requests: list[dict] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802  # http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(receiver.stall)
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status = receiver.answers.pop(0) if receiver.answers else 200
                if receiver.trickle:
                    answer = f"HTTP/1.1 {status} Whatever\r\nContent-Length: 8\r\n\r\nreceived".encode()
                    for byte in answer:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(receiver.trickle)
                    return
                self.send_response(status)
                for name, value in answer_headers.items():
                    self.send_header(name, value)
                self.end_headers()
                # A client may read what it wants of a long answer and leave.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(
                        answer_body if answer_body is not None else b"received" if status < 300 else b"not now"
                    )

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:  # a PEM file with the certificate and its key (self_signed_certificate)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        if self.tls is not None:
            return f"https://localhost:{self.port}/hook"
        return f"http://127.0.0.1:{self.port}/hook"

    def wait_for(self, count: int, timeout: float = 20) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.requests

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def self_signed_certificate(directory: Path, host: str = "localhost") -> Path:
    """A PEM file with a new self-signed certificate for ``host`` and its key: trusted by
    whoever points SSL_CERT_FILE at it, as a receiver's certificate is by its CA."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = directory / "receiver.pem"
    path.write_bytes(
        certificate.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return path


def test_database_url() -> str:
    """The URL of the database this test runs on, for a process of its own to share."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_environ(broker_url: str, **env: str) -> dict[str, str]:
    """The environment of a worker process that shares this test's database, signing key and time zone."""
    from django.conf import settings

    from config.tests.test_settings import clean_environ

    return clean_environ(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        DATABASE_URL=test_database_url(),
        CELERY_BROKER_URL=broker_url,
        TICKET_SIGNING_KEY=settings.TICKET_SIGNING_KEY,
        DJANGO_TIME_ZONE=settings.TIME_ZONE,
        **env,
    )


class ProductionServer:
    """gunicorn serving this test's database as production does: DEBUG off, only the required
    variables set (plus plain HTTP on loopback and, with a broker, e-mails handed to it), so
    the answers are the ones a deployment gives, not the test settings'.

    Throttling is off: a sweep sends more than any rate allows.
    """

    def __init__(self, *, broker_url: str = "", workers: int = 2, **env: str) -> None:
        from django.conf import settings

        from config.tests.test_settings import clean_environ
        from scripts.servers import start_gunicorn

        self.dir = Path(tempfile.mkdtemp(prefix="production-server-"))
        self.port = free_port()
        self.environ = clean_environ(
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_DEBUG="0",
            DJANGO_HTTPS="0",
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_THROTTLING="0",
            DJANGO_LOG_LEVEL="ERROR",
            DJANGO_SECRET_KEY=settings.SECRET_KEY,
            TICKET_SIGNING_KEY=settings.TICKET_SIGNING_KEY,
            DJANGO_TIME_ZONE=settings.TIME_ZONE,
            DATABASE_URL=test_database_url(),
            CELERY_BROKER_URL=broker_url,
            **env,
        )
        self.process = start_gunicorn(port=self.port, env=self.environ, log=self.dir / "gunicorn.log", workers=workers)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return (self.dir / "gunicorn.log").read_text(errors="replace")

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


def use_broker(url: str | None) -> None:
    """Point this process's Celery app at ``url``, dropping connections pooled for another broker."""
    from config.celery import app

    app.conf.broker_url = url
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
