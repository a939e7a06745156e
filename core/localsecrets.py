"""Secrets of one checkout for local development: made on first use, kept in a git-ignored file.

Settings import this before Django is set up, so it uses the standard library alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def local_secret(path: Path, make: Callable[[], str]) -> str:
    """The secret kept in ``path``, made by ``make()`` on first use in a file only its owner can read.

    A secret written in the repository would be everyone's: each checkout makes its own.
    """
    try:
        # O_EXCL: two processes starting at once (runserver's reloader, a worker) agree on one secret.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        value = path.read_text().strip()
        if value:
            return value
        # A file left empty by a process killed between creating and writing it: made again.
        path.unlink(missing_ok=True)
        return local_secret(path, make)
    value = make()
    with os.fdopen(descriptor, "w") as file:
        file.write(value + "\n")
    return value
