from collections.abc import Iterable

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

# What nearly every API client sends, or sends nothing (then "*/*").
_ANY_OR_JSON = frozenset({"*/*", "application/json"})


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, which answers the common request without its work.

    With no Accept header, "*/*" or "application/json", no format in the query
    string or URL, and JSON the first renderer, DRF's own choice is the JSON
    renderer as "application/json": that is returned at once. Everything else
    (other media types, parameters, q-values, ?format=, 406) goes through DRF.
    On /me/ the parsing of the query string and Accept header cost about 7 %
    of the request's CPU (docs/performance.md, step 24).
    """

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderers = list(renderers)
        meta = request._request.META
        first = renderers[0] if renderers else None
        if (
            first is not None
            and first.media_type == "application/json"
            and not format_suffix
            and not meta.get("QUERY_STRING")
            and meta.get("HTTP_ACCEPT", "*/*") in _ANY_OR_JSON
        ):
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)  # type: ignore[no-any-return]
