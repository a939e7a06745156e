import django_filters
from django.db.models import QuerySet
from django_filters.utils import translate_validation

from .models import Show


class ShowFilter(django_filters.FilterSet):
    date = django_filters.DateFilter(
        field_name="date_time",
        lookup_expr="date",
        label="Only shows starting on this day (YYYY-MM-DD, in the cinema's time zone).",
    )

    class Meta:
        model = Show
        fields = ["date"]


def filter_or_400(filterset_class: type[django_filters.FilterSet], request, queryset: QuerySet) -> QuerySet:
    """Apply a filter set outside a view's filter backends, with the same 400 for bad values."""
    filterset = filterset_class(request.query_params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
    return filterset.qs
