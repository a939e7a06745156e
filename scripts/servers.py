"""Wait until a server the scripts or tests started answers, or say why it did not.

One loop for every "is it up yet" wait in the repository (race, bench, smoke
test, fuzzing, fault tests). A connection that is refused, reset, or accepted
but slow to answer (a worker still starting on a busy machine) all mean "not
yet": only the deadline ends the wait. When it passes, the error names the
server and shows the end of its log, which is what one needs to see in CI.

From Python::

    from scripts.servers import wait_until_up
    wait_until_up("http://127.0.0.1:8101/healthz", name="gunicorn :8101", log=log_path, process=proc)

From a shell script::

    .venv/bin/python scripts/servers.py http://127.0.0.1:8765/healthz --name gunicorn --log "$work/errors.log"
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

DEADLINE_SECONDS = 30.0
LOG_TAIL_LINES = 40


class ServerDidNotStart(RuntimeError):
    pass


def log_tail(log: Path | str | None, lines: int = LOG_TAIL_LINES) -> str:
    if log is None:
        return "(no log)"
    try:
        text = Path(log).read_text(errors="replace")
    except OSError as error:
        return f"(log {log} unreadable: {error})"
    return "\n".join(text.splitlines()[-lines:]) or f"(log {log} is empty)"


def answers(url: str, timeout: float) -> bool:
    """True once the server sends any HTTP answer (an error status is an answer too)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True
    # URLError wraps refused connections; TimeoutError is a connection that was
    # accepted but not answered in time; both are "not yet".
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def wait_until_up(
    url: str,
    *,
    name: str,
    log: Path | str | None = None,
    process: subprocess.Popen | None = None,
    deadline: float = DEADLINE_SECONDS,
    ready=None,
) -> None:
    """Poll ``url`` until it answers; ``ready`` (a callable) replaces the HTTP probe when given.

    Raises ServerDidNotStart, with the end of ``log``, when ``deadline`` seconds
    pass or ``process`` exits first.
    """
    probe = ready or (lambda: answers(url, timeout=2.0))
    ends = time.monotonic() + deadline
    while True:
        if probe():
            return
        if process is not None and process.poll() is not None:
            reason = f"exited with status {process.returncode}"
            break
        if time.monotonic() >= ends:
            reason = f"did not answer {url} within {deadline:.0f} s"
            break
        time.sleep(0.2)
    raise ServerDidNotStart(f"{name} {reason}; the end of its log:\n{log_tail(log)}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Wait until a server answers an HTTP request.")
    parser.add_argument("url")
    parser.add_argument("--name", default="the server")
    parser.add_argument("--log", help="the server's log file, shown when it does not come up")
    parser.add_argument("--deadline", type=float, default=DEADLINE_SECONDS)
    args = parser.parse_args()
    try:
        wait_until_up(args.url, name=args.name, log=args.log, deadline=args.deadline)
    except ServerDidNotStart as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())


def start_gunicorn(
    *,
    port: int,
    env: dict,
    log: Path,
    workers: int = 2,
    extra: list[str] | None = None,
    tree: Path | None = None,
    app: str = "config.wsgi",
) -> subprocess.Popen:
    """gunicorn with the repository's configuration on a loopback port, answering /healthz,
    or ServerDidNotStart (the process stopped) with the end of its log.

    ``tree`` serves another checkout of the code (the bench's "before"), with
    this checkout's virtualenv; ``app`` another WSGI module (the bench's plain yardstick)."""
    root = Path(__file__).resolve().parent.parent
    tree = tree or root
    server = subprocess.Popen(
        [str(root / ".venv/bin/gunicorn"), "-c", str(tree / "config/gunicorn.conf.py"), app, *(extra or [])],
        cwd=tree,
        env={
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_ACCESS_LOG": "",
            "GUNICORN_LOG_LEVEL": "warning",
            "PYTHONUNBUFFERED": "1",
        },
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", name=f"gunicorn on port {port}", log=log, process=server)
    except ServerDidNotStart:
        server.terminate()
        raise
    return server
