"""The conformance check that every API test response passes through can fail."""

import json

import pytest
from jsonschema.exceptions import ValidationError

from core.tests.conformance import check


def test_an_undocumented_status_fails():
    with pytest.raises(AssertionError, match="does not document"):
        check("GET", "/movies/", 418, "application/json", b"{}")


def test_a_body_that_does_not_match_its_schema_fails():
    body = json.dumps({"detail": "Not found."}).encode()  # no code

    with pytest.raises(ValidationError, match="'code' is a required property"):
        check("GET", "/movies/1/", 404, "application/json", body)


def test_a_matching_body_and_paths_outside_the_schema_pass():
    check("GET", "/movies/1/", 404, "application/json", b'{"detail": "Not found.", "code": "not_found"}')
    check("GET", "/admin/", 418, "text/html", b"<html>")
