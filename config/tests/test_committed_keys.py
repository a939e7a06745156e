"""No key written in the repository signs a token that a server started without DJANGO_SECRET_KEY accepts.

Anyone can read the repository, so every string in it is a key an attacker
may try: as the signing key itself, and as a SECRET_KEY the signing key is
derived from (the derivation is in config/settings.py for all to read).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jwt
import pytest

from config.settings import BASE_DIR
from config.tests.test_settings import clean_environ
from core.tests.realservers import free_port
from scripts.servers import start_gunicorn

PASSWORD = "a-long-enough-passphrase-7"


def committed_strings() -> set[str]:
    """Every run of 16 or more non-blank characters, and every quoted string of 16 or more, in a tracked file."""
    names = subprocess.run(["git", "ls-files", "-z"], cwd=BASE_DIR, capture_output=True, check=True).stdout
    found: set[str] = set()
    for name in filter(None, names.decode().split("\0")):
        try:
            text = (BASE_DIR / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, IsADirectoryError, FileNotFoundError):
            continue  # a picture or another binary file: no key a person would copy
        found.update(re.findall(r"[^\s\"'`]{16,}", text))
        for double, single in re.findall(r"\"([^\"\n]{16,})\"|'([^'\n]{16,})'", text):
            found.add(double or single)
    return found


def derived(secret: str) -> str:
    """The signing key config/settings.py derives from a SECRET_KEY, as an attacker reading it would compute it."""
    return hmac.new(secret.encode(), b"booking-jwt-signing-key", hashlib.sha256).hexdigest()


def request(port: int, method: str, path: str, body: dict | None = None, token: str = "") -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json", "Host": "127.0.0.1"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request(method, path, json.dumps(body) if body is not None else None, headers)
    response = connection.getresponse()
    status, content = response.status, response.read()
    connection.close()
    return status, json.loads(content) if content else {}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn with DEBUG on and neither DJANGO_SECRET_KEY nor DJANGO_JWT_SIGNING_KEY set, on its own database."""
    work = tmp_path_factory.mktemp("committed-keys")
    env = clean_environ(
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY_FILE=str(work / "secret-key"),
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        DJANGO_THROTTLING="0",
        DJANGO_LOG_LEVEL="ERROR",
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True)
    port = free_port()
    process = start_gunicorn(port=port, env=env, log=work / "gunicorn.log", extra=["-k", "gthread", "--threads", "8"])
    yield port, Path(work / "secret-key")
    process.terminate()
    process.wait()


# Short strings are tried too, as an attacker would: PyJWT warns about each.
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_a_token_signed_with_any_key_in_the_repository_is_refused(server):
    port, secret_file = server
    assert request(port, "POST", "/signup/", {"username": "victim", "password": PASSWORD})[0] == 201
    status, tokens = request(port, "POST", "/login/", {"username": "victim", "password": PASSWORD})
    assert status == 200
    claims = jwt.decode(tokens["access"], options={"verify_signature": False})

    def me(key: str) -> int:
        return request(port, "GET", "/me/", token=jwt.encode(claims, key, algorithm="HS256"))[0]

    # The control: the key the server made for itself signs tokens it accepts,
    # so a refusal below is the key's doing, not a broken token.
    assert me(derived(secret_file.read_text().strip())) == 200
    candidates = committed_strings()
    # The placeholder an earlier version fell back to, kept here as the first thing an attacker tries.
    assert "insecure-local-development-key-do-not-use-in-production" in candidates
    keys = sorted(candidates | {derived(secret) for secret in candidates})
    with ThreadPoolExecutor(8) as pool:
        statuses = dict(zip(keys, pool.map(me, keys), strict=True))

    accepted = [key for key, status in statuses.items() if status != 401]
    assert len(keys) > 10_000
    assert accepted == []
