from django.conf import settings
from django.http import JsonResponse


class RequestGuardMiddleware:
    """Refuses requests no client of this API sends, before any view reads them.

    - A body larger than MAX_REQUEST_BODY_BYTES: 413 (the API's bodies are a
      few hundred bytes; a huge one is an attack on memory).
    - A NUL character in the path or query string: 400. PostgreSQL text can
      not hold it, so it could only ever reach a query as an error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Content-Length must be a number."}, status=400)
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return JsonResponse(
                {"detail": f"Request body too large: at most {settings.MAX_REQUEST_BODY_BYTES} bytes."}, status=413
            )
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return JsonResponse({"detail": "NUL characters are not allowed in URLs."}, status=400)
        return self.get_response(request)
