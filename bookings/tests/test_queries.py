"""bookings' written-out reads against what the ORM reads."""

from decimal import Decimal

import pytest

from bookings.models import Booking
from bookings.queries import SHOWN, CustomerBookings

pytestmark = pytest.mark.django_db


def _loaded(instance):
    return {k: v for k, v in vars(instance).items() if k not in ("_state", "_prefetched_objects_cache")}


def test_a_page_of_my_bookings_is_what_select_related_and_only_give(user, show, django_assert_num_queries):
    for n in (1, 2, 3):
        Booking.objects.create(user=user, show=show, seat_number=n, seat_label=f"A{n}", price=Decimal("9"))
    only = [f"show__{name}" for name in SHOWN["show"]] + [
        f"{path}__{name}" for path in ("show__movie", "show__screen") for name in SHOWN[path]
    ]
    theirs = list(
        Booking.objects.of_customer(user).select_related("show__movie", "show__screen").only(*SHOWN[""], *only)
    )

    with django_assert_num_queries(1):
        ours = CustomerBookings(user_id=user.pk)[0:20]
        for mine, django in zip(ours, theirs, strict=True):
            for path in ("", "show", "show.movie", "show.screen"):
                a, b = mine, django
                for step in filter(None, path.split(".")):
                    a, b = getattr(a, step), getattr(b, step)
                assert _loaded(a) == _loaded(b)
                assert a.get_deferred_fields() == b.get_deferred_fields()
    assert ours[0].show.screen.get_deferred_fields() == {
        "layout",
        "capacity",
        "ticket_prices",
        "sweet_row",
        "sweet_place",
        "no_single_seats",
        "unsold_seats",
        "unsold_count",
    }
    assert "code" in ours[0].get_deferred_fields()
    # A deferred field is read when used, as the ORM reads it.
    with django_assert_num_queries(1):
        code = ours[0].code
    assert code == Booking.objects.values_list("code", flat=True).get(pk=ours[0].pk)
    assert CustomerBookings(user_id=user.pk).count() == 3
