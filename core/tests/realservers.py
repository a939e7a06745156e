"""Real servers that fault tests start, break and stop themselves (never the machine's shared ones)."""

from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

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
