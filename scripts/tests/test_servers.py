"""The one start-up wait used by the race, the bench, the smoke test, fuzzing and the fault tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from scripts.servers import ServerDidNotStart, wait_until_up


class SlowFirstAnswer(BaseHTTPRequestHandler):
    """Accepts at once, answers the first request after 3 s: a gunicorn worker still booting."""

    delay = 3.0
    answered = 0

    def do_GET(self):
        if SlowFirstAnswer.answered == 0:
            time.sleep(self.delay)
        SlowFirstAnswer.answered += 1
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_a_connection_that_is_accepted_but_slow_to_answer_means_not_yet():
    server = HTTPServer(("127.0.0.1", 0), SlowFirstAnswer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        started = time.monotonic()
        wait_until_up(f"http://127.0.0.1:{server.server_port}/", name="slow server", deadline=20)
    finally:
        server.shutdown()
    assert time.monotonic() - started < 20
    assert SlowFirstAnswer.answered >= 1


def test_a_server_that_never_answers_is_named_with_the_end_of_its_log(tmp_path):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # connections are accepted by the kernel, never answered
    log = tmp_path / "server.log"
    log.write_text("".join(f"line {n}\n" for n in range(100)) + "Booting worker failed: no module named x\n")
    try:
        with pytest.raises(ServerDidNotStart) as error:
            wait_until_up(f"http://127.0.0.1:{silent.getsockname()[1]}/", name="gunicorn :test", log=log, deadline=3)
    finally:
        silent.close()
    message = str(error.value)
    assert message.startswith("gunicorn :test did not answer")
    assert "Booting worker failed: no module named x" in message
    assert "line 99" in message
    assert "line 10\n" not in message


def test_a_server_process_that_exits_ends_the_wait_at_once(tmp_path):
    log = tmp_path / "crash.log"
    log.write_text("ImproperlyConfigured: DJANGO_SECRET_KEY is not set\n")
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    process.wait()
    started = time.monotonic()
    with pytest.raises(ServerDidNotStart, match="exited with status 3") as error:
        wait_until_up("http://127.0.0.1:9/", name="crashing server", log=log, process=process, deadline=30)
    assert time.monotonic() - started < 5
    assert "DJANGO_SECRET_KEY is not set" in str(error.value)
