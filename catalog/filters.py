from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.request import Request
from rest_framework.views import APIView

from .models import Genre, Movie, Screen, Show
from .selectors import now_showing


class StableOrderingFilter(django_filters.ChoiceFilter):  # type: ignore[misc]  # django-filter has no type hints
    """One sort key, a field or -field for descending, with the id as the last key
    so pages never shuffle between requests. One key only: that is what the schema
    declares (a string, not a list that generated clients would send as repeated
    parameters), and what the server does."""

    def __init__(self, *, fields: list[str], **kwargs: Any) -> None:
        choices = [(name, name) for field in fields for name in (field, f"-{field}")]
        super().__init__(choices=choices, **kwargs)

    def filter(self, qs: QuerySet[Any], value: str | None) -> QuerySet[Any]:
        return qs.order_by(value, "id") if value else qs


class StrictFilterSet(django_filters.FilterSet):  # type: ignore[misc]  # django-filter has no type hints
    """A parameter given twice (?ordering=a&ordering=b) is a 400, never silently the last one."""

    def repeated(self) -> list[str]:
        getlist = getattr(self.data, "getlist", None)
        return [name for name in self.filters if getlist is not None and len(getlist(name)) > 1]

    def is_valid(self) -> bool:
        valid: bool = super().is_valid()
        repeated = self.repeated()
        for name in repeated:
            if name not in self.form.errors:
                self.form.add_error(name, "Give this parameter once.")
        return valid and not repeated


class FilterBackend(DjangoFilterBackend):  # type: ignore[misc]  # django-filter has no type hints
    """django-filter's backend, which builds and validates the FilterSet's form
    only when the request has query parameters: for a FilterSet that filters
    nothing unless asked (no defaults), a plain request means the queryset as
    it is, and the form cost about a tenth of GET /my-bookings/'s CPU."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: APIView) -> QuerySet[Any]:
        if not request.query_params:
            return queryset
        filtered: QuerySet[Any] = super().filter_queryset(request, queryset, view)
        return filtered


class TrueFalseField(forms.NullBooleanField):
    """true or false and nothing else: "maybe" is a 400, not silently ignored."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]  # the stubs say bool; null is None
        if value in (None, ""):
            return None
        if value in ("true", "false"):
            return bool(value == "true")
        raise forms.ValidationError("Use true or false.")


class TrueFalseFilter(django_filters.BooleanFilter):  # type: ignore[misc]  # django-filter has no type hints
    field_class = TrueFalseField


class LocalDateRange(StrictFilterSet):
    date_from = django_filters.DateFilter(
        field_name="date_time", lookup_expr="date__gte", label="Shows on or after this day (YYYY-MM-DD)."
    )
    date_to = django_filters.DateFilter(
        field_name="date_time", lookup_expr="date__lte", label="Shows on or before this day (YYYY-MM-DD)."
    )


class ShowFilter(LocalDateRange):
    date = django_filters.DateFilter(
        field_name="date_time",
        lookup_expr="date",
        label="Only shows starting on this day (YYYY-MM-DD, in the cinema's time zone).",
    )
    movie = django_filters.ModelChoiceFilter(queryset=Movie.objects.all(), label="Only shows of this movie (id).")
    screen = django_filters.ModelChoiceFilter(queryset=Screen.objects.all(), label="Only shows in this screen (id).")
    available = TrueFalseFilter(
        method="filter_available", label="true: only shows with free seats; false: only sold-out shows."
    )
    ordering = StableOrderingFilter(fields=["date_time", "price"], label="date_time (default), price, -price ...")

    class Meta:
        model = Show
        fields = ["date", "date_from", "date_to", "movie", "screen", "available"]

    def filter_available(self, queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:
        # The shows come annotated with available_seats (catalog.selectors).
        return queryset.filter(available_seats__gt=0) if value else queryset.filter(available_seats__lte=0)


class MovieFilter(StrictFilterSet):
    genre = django_filters.ModelChoiceFilter(
        field_name="genres", to_field_name="slug", queryset=Genre.objects.all(), label="A genre's slug, e.g. drama."
    )
    now_showing = TrueFalseFilter(
        method="filter_now_showing", label="true: movies with upcoming shows; false: the others."
    )
    ordering = StableOrderingFilter(
        fields=["title", "release_date"], label="title (default), release_date, -release_date ..."
    )

    class Meta:
        model = Movie
        fields = ["genre", "now_showing"]

    def filter_now_showing(self, queryset: QuerySet[Movie], name: str, value: bool) -> QuerySet[Movie]:
        return queryset.filter(now_showing()) if value else queryset.exclude(now_showing())
