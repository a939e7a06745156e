from collections.abc import Mapping
from typing import IO, Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a 400 for bodies nested deeper than Python's recursion
    limit and for NUL characters anywhere: PostgreSQL text can not hold them, so in
    any field they could only reach a query as an error."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply.") from exc
        if _has_nul(data):
            raise ParseError("NUL characters (\\u0000) are not allowed in a request body.")
        return data
