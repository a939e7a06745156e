"""The box office's own admin pages. Each view is made for the admin site that serves it,
so that its pages carry the site's header, navigation and permission checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from accounts.models import User
from core.exceptions import ServiceError
from tickets import services as door_services

from . import selectors

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite

View = Callable[[HttpRequest], HttpResponse]


# The board's first day: no show of this software's is older.
FIRST_DAY = date(2000, 1, 1)


class DayForm(forms.Form):
    day = forms.DateField(required=False)
    week = forms.BooleanField(required=False)

    def clean_day(self) -> date | None:
        day: date | None = self.cleaned_data["day"]
        last = timezone.localdate() + timedelta(days=settings.SCHEDULE_HORIZON_DAYS)
        if day is not None and not FIRST_DAY <= day <= last:
            # Also keeps the board's arithmetic (a week on, a day's end) inside the calendar.
            raise forms.ValidationError(
                f"Shows run between {FIRST_DAY:%d %B %Y} and {last:%d %B %Y} (as far ahead as shows are scheduled)."
            )
        return day


def programme_board(site: AdminSite) -> View:
    """Each screen's day (or week) as a timeline: shows, the cleaning buffer after them, the gaps."""

    def view(request: HttpRequest) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied
        form = DayForm(request.GET)
        chosen = form.cleaned_data.get("day") if form.is_valid() else None
        day: date = chosen or timezone.localdate()
        week = form.is_valid() and form.cleaned_data["week"]
        days = [day + timedelta(days=n) for n in range(7 if week else 1)]
        context: dict[str, Any] = {
            **site.each_context(request),
            "title": f"Programme, week of {day:%A %d %B %Y}" if week else f"Programme, {day:%A %d %B %Y}",
            "form": form,
            "day": day,
            "week": week,
            "previous": day - timedelta(days=7 if week else 1),
            "next": day + timedelta(days=7 if week else 1),
            "hours": [f"{hour:02d}:00" for hour in range(9, 24)],
            "days": [(each, selectors.programme(each)) for each in days],
        }
        return TemplateResponse(request, "backoffice/programme.html", context)

    return view


class DoorForm(forms.Form):
    code = forms.CharField(max_length=512, label="Ticket code or QR content", strip=True)


def door(site: AdminSite) -> View:
    """Type or paste a ticket's code: the answer in large type, green (in: seat and show) or red (why not)."""

    def view(request: HttpRequest) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or not (user.is_staff or user.has_perm("tickets.check_in")):
            raise PermissionDenied
        form = DoorForm(request.POST or None)
        answer: dict[str, Any] | None = None
        if request.method == "POST" and form.is_valid():
            try:
                check_in = door_services.check_in_create(code=form.cleaned_data["code"], by=user, device="admin")
                show = check_in.booking.show
                answer = {"ok": True, "seat": check_in.booking.seat_label, "show": show}
                form = DoorForm()  # ready for the next one
            except ServiceError as exc:
                answer = {"ok": False, "why": exc.message, "code": exc.code}
        context = {**site.each_context(request), "title": "Door: check tickets in", "form": form, "answer": answer}
        return TemplateResponse(request, "backoffice/door.html", context)

    return view
