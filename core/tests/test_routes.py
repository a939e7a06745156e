"""Every URL route, its methods and its view, against a snapshot kept in the repository.

An accidental route (a mixin that brings actions, a router registering a
viewset twice) shows up in review as a change to core/tests/snapshots/routes.txt.
After an intended change: UPDATE_SNAPSHOTS=1 .venv/bin/pytest core/tests/test_routes.py
"""

import os
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

SNAPSHOT = Path(__file__).parent / "snapshots" / "routes.txt"
METHODS = ["get", "post", "put", "patch", "delete"]


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def describe(route: str, callback) -> str | None:
    if route.startswith("admin/"):
        return None  # Django's own admin routes
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    actions = getattr(callback, "actions", None)
    if actions:
        methods = {method: action for method, action in actions.items()}
        listed = " ".join(f"{m.upper()}:{methods[m]}" for m in METHODS if m in methods)
    elif view_class is not None:
        listed = " ".join(m.upper() for m in METHODS if hasattr(view_class, m))
    else:
        listed = "ANY"
    name = f"{callback.__module__}.{(view_class or callback).__qualname__}"
    return f"{route}  {listed}  {name}"


def routes() -> str:
    lines = sorted(filter(None, (describe(route, callback) for route, callback in walk(get_resolver().url_patterns))))
    return "\n".join(lines) + "\n"


def test_the_routes_are_the_ones_in_the_snapshot():
    current = routes()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(current)
    assert current == SNAPSHOT.read_text()


def test_every_viewset_action_of_a_route_exists_on_its_view():
    for route, callback in walk(get_resolver().url_patterns):
        for action in (getattr(callback, "actions", None) or {}).values():
            assert hasattr(callback.cls, action), f"{route} maps to {callback.cls.__name__}.{action}, which is missing"
