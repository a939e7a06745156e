from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponseBase, JsonResponse

from .exceptions import DATABASE_UNAVAILABLE


class RequestGuardMiddleware:
    """Refuses requests no client of this API sends, before any view reads them.

    - A body larger than MAX_REQUEST_BODY_BYTES: 413 (the API's bodies are a
      few hundred bytes; a huge one is an attack on memory).
    - A NUL character in the path or query string: 400. PostgreSQL text can
      not hold it, so it could only ever reach a query as an error.
    - A chunked body (Transfer-Encoding, no Content-Length): 411. The WSGI
      server would hand the app an empty body, answered by a misleading 400
      about missing fields.

    Outside the API's views (the admin, the docs), an unreachable database is
    a JSON 503 with Retry-After, as it is in the API.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if "transfer-encoding" in request.headers:
            return JsonResponse(
                {
                    "detail": "Send the body with a Content-Length; chunked bodies are not accepted.",
                    "code": "length_required",
                },
                status=411,
            )
        try:
            length = int(request.headers.get("content-length") or 0)
        except ValueError:
            return JsonResponse({"detail": "Content-Length must be a number.", "code": "bad_request"}, status=400)
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return JsonResponse(
                {
                    "detail": f"Request body too large: at most {settings.MAX_REQUEST_BODY_BYTES} bytes.",
                    "code": "too_large",
                },
                status=413,
            )
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return JsonResponse(
                {"detail": "NUL characters are not allowed in URLs.", "code": "bad_request"}, status=400
            )
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponseBase | None:
        if isinstance(exception, (OperationalError, InterfaceError)):
            return JsonResponse(DATABASE_UNAVAILABLE, status=503, headers={"Retry-After": "5"})
        return None


# Sessions, Django's request.user and messages serve the admin (and the
# box office and door pages under it) and the docs shown to staff logged in
# there, not the API, whose clients send a bearer token. On every other path
# these subclasses step aside: about a tenth of the CPU of a small API
# request. They stay subclasses so that the admin's system checks still find
# its middleware. (CSRF protection stays on everywhere: it costs little where
# no cookie comes, and Django's deploy check looks for its own middleware.)


def for_the_admin(request: HttpRequest) -> bool:
    return request.path_info.startswith(settings.SESSION_PATHS)


class _OnSessionPathsOnly:
    """Mixed in before one of Django's middleware: it runs on SESSION_PATHS only."""

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if for_the_admin(request):
            return super().__call__(request)  # type: ignore[misc,no-any-return]
        return self.get_response(request)  # type: ignore[attr-defined,no-any-return]  # the middleware's


class AdminSessionMiddleware(_OnSessionPathsOnly, SessionMiddleware):
    pass


class AdminAuthenticationMiddleware(_OnSessionPathsOnly, AuthenticationMiddleware):
    pass


class AdminMessageMiddleware(_OnSessionPathsOnly, MessageMiddleware):
    pass
