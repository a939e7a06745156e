"""The admin site of the cinema: its name in the header, today's numbers on the
front page, the programme board, and a door page for door staff.

Door staff (the tickets.check_in permission, not staff) may sign in here: they
see the door page and nothing else, since they hold no model permissions.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone

from core.admin import StaffAdmin

from . import selectors, views


class CinemaAdminSite(admin.AdminSite):
    index_template = "backoffice/index.html"

    index_title = "Today"

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        # Read per request, so the name follows the setting.
        return {
            **super().each_context(request),
            "site_header": f"{settings.CINEMA_NAME} box office",
            "site_title": settings.CINEMA_NAME,
        }

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        # Every admin, Django's and other apps' included, refuses bad input with form
        # errors and messages, never a 500 (core.admin.StaffAdmin).
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, StaffAdmin):
            admin_class = type(admin_class.__name__, (StaffAdmin, admin_class), {"__module__": admin_class.__module__})
        super().register(model_or_iterable, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_staff or user.has_perm("tickets.check_in")))

    def get_urls(self) -> list[URLResolver | URLPattern]:
        pages = [
            path("programme/", self.admin_view(views.programme_board(self)), name="programme"),
            path("door/", self.admin_view(views.door(self)), name="door"),
        ]
        return pages + super().get_urls()

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        today = timezone.localdate()
        context = {"can_run_box_office": request.user.is_staff, **(extra_context or {})}
        if request.user.is_staff:
            context |= {"today": today, "shows": selectors.shows_of_day(today), "sales": selectors.sales_of_day(today)}
        return super().index(request, context)
