"""The public contract: the generated OpenAPI schema is the committed docs/openapi.yaml, and valid.

A change to the API's shapes, status codes or paths shows up in review as a diff
of docs/openapi.yaml; record it in docs/api-changelog.md. After an intended change:
UPDATE_SNAPSHOTS=1 .venv/bin/pytest core/tests/test_openapi_contract.py
"""

import os
from pathlib import Path

from django.core.management import call_command
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


def generated(tmp_path: Path) -> str:
    out = tmp_path / "openapi.yaml"
    call_command("spectacular", file=str(out), validate=True, fail_on_warn=True)
    return out.read_text()


def test_the_schema_is_the_committed_one(tmp_path):
    schema = generated(tmp_path)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        COMMITTED.write_text(schema)
    assert schema == COMMITTED.read_text(), "the API contract changed: see this module's docstring"


def test_the_committed_schema_is_valid_openapi():
    spec, _ = read_from_filename(str(COMMITTED))
    validate(spec)  # raises with the first error


def test_blank_optional_strings_are_nullable_strings_not_a_one_of():
    text = COMMITTED.read_text()

    assert "maxLength: 0" not in text
