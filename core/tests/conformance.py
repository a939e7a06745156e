"""Every response the test suite receives from the API, checked against docs/openapi.yaml.

The root conftest wraps Django's test client with ``check``: a response to an
operation of the schema must have a documented status, and a JSON body must
match the documented schema for that status. So no endpoint can drift from
its documentation without a test failing. Not checked: paths outside the
schema (admin, docs, health checks, unknown paths, which answer 404 JSON of
their own), and 500s, which are failures by definition and tested as such.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30ReadValidator

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


@cache
def spec() -> dict[str, Any]:
    return yaml.safe_load(SCHEMA.read_text())


@cache
def routes() -> list[tuple[re.Pattern[str], dict[str, Any]]]:
    compiled = []
    for template, operations in spec()["paths"].items():
        pattern = "".join(
            ("[0-9]+" if part == "{id}" else "[^/]+") if part.startswith("{") else re.escape(part)
            for part in re.split(r"(\{[^}]+\})", template)
        )
        # Every path also answers without its trailing slash (core/routers.py).
        compiled.append((re.compile(f"^{pattern.rstrip('/')}/?$"), operations))
    return compiled


def operation_for(method: str, path: str) -> dict[str, Any] | None:
    for pattern, operations in routes():
        if pattern.match(path):
            return operations.get(method.lower())
    return None


def check(method: str, path: str, status: int, content_type: str, content: bytes) -> None:
    """Raise AssertionError when the answer is not what the schema documents."""
    operation = operation_for(method, path)
    if operation is None or status >= 500 and status != 503:
        return
    documented = operation["responses"].get(str(status))
    assert documented is not None, f"{method} {path} answered {status}, which its schema does not document"
    media = documented.get("content", {}).get("application/json")
    if media is None or not content_type.startswith("application/json") or not content:
        return
    schema = {**media["schema"], "components": spec()["components"]}
    OAS30ReadValidator(schema).validate(json.loads(content))
