"""Sessions, Django's request.user and messages act on the admin's paths (and the docs) only."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from core.middleware import (
    AdminAuthenticationMiddleware,
    AdminMessageMiddleware,
    AdminSessionMiddleware,
)


def stack():
    seen: dict[str, bool] = {}

    def view(request):
        seen.update(
            session=hasattr(request, "session"), user=hasattr(request, "user"), messages=hasattr(request, "_messages")
        )
        return HttpResponse("ok")

    handler = AdminSessionMiddleware(AdminAuthenticationMiddleware(AdminMessageMiddleware(view)))
    return handler, seen


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/admin/door/", "/swagger/", "/api/schema/"])
def test_on_the_admin_and_the_docs_every_one_of_them_runs(path):
    handler, seen = stack()

    handler(RequestFactory().get(path))

    assert seen == {"session": True, "user": True, "messages": True}


@pytest.mark.parametrize("path", ["/movies/", "/shows/1/book/", "/healthz", "/me/", "/administrator/"])
def test_elsewhere_none_of_them_runs(path):
    handler, seen = stack()

    handler(RequestFactory().get(path))

    assert seen == {"session": False, "user": False, "messages": False}
