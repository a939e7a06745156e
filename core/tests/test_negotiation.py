"""The content negotiation's shortcut chooses exactly what DRF's own negotiation chooses."""

import itertools

import pytest
from django.http import Http404
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer, TemplateHTMLRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.negotiation import ContentNegotiation

ACCEPTS = [
    None,
    "*/*",
    "application/json",
    "application/json; indent=4",
    "application/json, text/html",
    "text/html",
    "application/xml",
    "*/*;q=0.8",
    "application/*",
    "",
]
QUERIES = ["", "format=json", "format=api", "page=2"]
RENDERERS = [
    [JSONRenderer()],
    [JSONRenderer(), BrowsableAPIRenderer()],
    [BrowsableAPIRenderer(), JSONRenderer()],
    [TemplateHTMLRenderer()],
]


def choice(negotiation, request, renderers, suffix):
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers, suffix)
    except NotAcceptable:
        return "406"
    except Http404:  # a format no renderer has
        return "404"
    return type(renderer).__name__, media_type


@pytest.mark.parametrize(
    ("accept", "query", "renderers", "suffix"), list(itertools.product(ACCEPTS, QUERIES, RENDERERS, [None, "json"]))
)
def test_the_shortcut_chooses_what_drf_chooses(accept, query, renderers, suffix):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get(f"/me/{'?' + query if query else ''}", **headers))

    assert choice(ContentNegotiation(), request, renderers, suffix) == choice(
        DefaultContentNegotiation(), request, renderers, suffix
    )


def test_the_api_uses_it():
    from rest_framework.views import APIView

    assert isinstance(APIView().get_content_negotiator(), ContentNegotiation)
