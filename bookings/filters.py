import django_filters

from catalog.filters import LocalDateRange, StrictFilterSet
from catalog.models import Movie, Show

from .models import CUSTOMER_STATUSES, Booking


class BookingFilter(StrictFilterSet):
    status = django_filters.ChoiceFilter(choices=[(status, status) for status in CUSTOMER_STATUSES])

    class Meta:
        model = Booking
        fields = ["status"]


class ReportFilter(LocalDateRange):
    movie = django_filters.ModelChoiceFilter(queryset=Movie.objects.all(), label="Only this movie (id).")

    class Meta:
        model = Show
        fields = ["date_from", "date_to", "movie"]
