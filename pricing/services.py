"""Promo codes: made by staff one by one or in batches, checked against an order."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.models import User
from catalog.models import Movie, Show, TicketType
from core.exceptions import Conflict, FieldError

from .models import PromoCode, PromoKind
from .quote import Discount, Fee, Line

FIELD = "promo_code"
# Codes of a batch: no 0/O or 1/I/L to misread on a printed voucher.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MAX_BATCH = 10_000


class PromoUsedUp(Conflict):
    """The code's uses (in all or by this customer) are taken: a race another order won, or simply spent."""

    code = "promo_code_used_up"


def booking_fee(*, online: bool) -> Fee:
    """The booking fee of an order: only online (the box office charges none)."""
    if not online:
        return Fee(Decimal("0"), "order")
    return Fee(settings.BOOKING_FEE, settings.BOOKING_FEE_PER)


def promo_locked(text: str) -> PromoCode:
    """The code a customer typed, its row locked until the transaction ends: every
    order using a code queues here, so counting its uses and adding one are
    one step (orders.services.order_create). FieldError when there is none."""
    code = PromoCode.objects.select_for_update().filter(code=normalize(text)).first()
    if code is None or not code.active:
        raise FieldError("No such promo code.", field=FIELD)
    return code


def normalize(text: str) -> str:
    return text.strip().upper()


def promo_discount(code: PromoCode, *, show: Show, lines: Sequence[Line], now: datetime) -> Discount:
    """What ``code`` takes off these lines of an order for ``show`` now, or a
    FieldError saying which of its limits the order misses. Its uses are
    counted by the caller (who knows orders)."""
    if code.valid_from is not None and now < code.valid_from:
        raise FieldError(
            f"This code can be used from {timezone.localtime(code.valid_from):%d %b %Y %H:%M}.", field=FIELD
        )
    if code.valid_until is not None and now >= code.valid_until:
        raise FieldError("This code has expired.", field=FIELD)
    day = timezone.localdate(show.date_time)
    if code.show_dates_from is not None and day < code.show_dates_from:
        raise FieldError(f"This code is for shows from {code.show_dates_from:%d %b %Y}.", field=FIELD)
    if code.show_dates_until is not None and day > code.show_dates_until:
        raise FieldError(f"This code is for shows until {code.show_dates_until:%d %b %Y}.", field=FIELD)
    if code.weekdays and day.weekday() not in code.weekdays:
        names = ", ".join(name for number, name in WEEKDAY_NAMES if number in code.weekdays)
        raise FieldError(f"This code is for shows on {names}.", field=FIELD)
    movies = set(code.movies.values_list("pk", flat=True))
    if movies and show.movie_id not in movies:
        raise FieldError("This code is not for this movie.", field=FIELD)
    shows = set(code.shows.values_list("pk", flat=True))
    if shows and show.pk not in shows:
        raise FieldError("This code is not for this show.", field=FIELD)
    if len(lines) < code.min_seats:
        raise FieldError(f"This code is for orders of at least {code.min_seats} seats.", field=FIELD)
    types = frozenset(code.ticket_types.values_list("code", flat=True)) or None
    if types is not None and not any(line.ticket_type in types for line in lines):
        raise FieldError(f"This code is for {', '.join(sorted(types))} tickets only.", field=FIELD)
    return Discount(kind=code.kind, value=code.value, types=types)


def promo_check_uses(code: PromoCode, *, in_all: int, by_customer: int) -> None:
    """Refuse a code whose uses are taken: ``in_all`` and ``by_customer`` are the
    orders that count already, with the code's row locked (promo_locked)."""
    if code.max_uses is not None and in_all >= code.max_uses:
        raise PromoUsedUp("This code has been used as many times as it can be.")
    if code.max_uses_per_customer is not None and by_customer >= code.max_uses_per_customer:
        raise PromoUsedUp("You have used this code as many times as one customer can.")


WEEKDAY_NAMES = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


def promo_rules_check(*, kind: str, value: Decimal, weekdays: Iterable[int] = (), **_: Any) -> None:
    """What the database's constraints can not say of a code's rules, as field errors."""
    if kind == PromoKind.FREE_SEATS and value != value.to_integral_value():
        raise FieldError("For free_seats, value is a whole number of seats.", field="value")
    if kind == PromoKind.PERCENT and not 0 < value <= 100:
        raise FieldError("A percentage is more than 0 and at most 100.", field="value")
    if any(not isinstance(day, int) or isinstance(day, bool) or not 0 <= day <= 6 for day in weekdays):
        raise FieldError("Weekdays are 0 (Monday) to 6 (Sunday).", field="weekdays")


def promo_create(
    *,
    by: User | None,
    code: str = "",
    movies: Iterable[Movie] = (),
    shows: Iterable[Show] = (),
    ticket_types: Iterable[TicketType] = (),
    **rules: Any,
) -> PromoCode:
    """One code, typed by staff ("SUMMER25") or made up when empty."""
    promo_rules_check(**rules)
    text = normalize(code) or _random_code("", 10)
    with transaction.atomic():
        try:
            with transaction.atomic():
                promo = PromoCode.objects.create(code=text, created_by=by, **rules)
        except IntegrityError as exc:
            raise FieldError(f"There is a code {text} already.", field="code") from exc
        promo.movies.set(movies)
        promo.shows.set(shows)
        promo.ticket_types.set(ticket_types)
    return promo


def promo_batch_create(
    *,
    count: int,
    by: User | None,
    batch: str = "",
    prefix: str = "",
    movies: Iterable[Movie] = (),
    shows: Iterable[Show] = (),
    ticket_types: Iterable[TicketType] = (),
    **rules: Any,
) -> list[PromoCode]:
    """``count`` codes with the same rules (vouchers: max_uses 1), each a prefix
    and ten random characters, made in one transaction under one batch name
    (by default the time it was made)."""
    if not 1 <= count <= MAX_BATCH:
        raise FieldError(f"A batch is 1 to {MAX_BATCH} codes.", field="count")
    promo_rules_check(**rules)
    batch = batch or f"batch-{timezone.now():%Y%m%d-%H%M%S}"
    prefix = normalize(prefix)
    movies, shows, ticket_types = list(movies), list(shows), list(ticket_types)
    with transaction.atomic():
        texts: set[str] = set()
        while len(texts) < count:  # 31^10 codes: a clash with another batch is as good as impossible
            texts |= {_random_code(prefix, 10) for _ in range(count - len(texts))}
            texts -= set(PromoCode.objects.filter(code__in=texts).values_list("code", flat=True))
        now = timezone.now()
        made = PromoCode.objects.bulk_create(
            [PromoCode(code=text, batch=batch, created_by=by, created_at=now, **rules) for text in sorted(texts)]
        )
        for relation, targets in (("movies", movies), ("shows", shows), ("ticket_types", ticket_types)):
            if targets:
                through = getattr(PromoCode, relation).through
                column = {"movies": "movie", "shows": "show", "ticket_types": "tickettype"}[relation]
                through.objects.bulk_create(
                    [through(**{"promocode": promo, column: target}) for promo in made for target in targets]
                )
    return made


def _random_code(prefix: str, length: int) -> str:
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(length))


def promo_update(*, promo: PromoCode, **changes: Any) -> PromoCode:
    """Change a code's rules (its text stays); orders made with it keep their prices."""
    relations = {name: changes.pop(name) for name in ("movies", "shows", "ticket_types") if name in changes}
    promo_rules_check(
        kind=changes.get("kind", promo.kind),
        value=changes.get("value", promo.value),
        weekdays=changes.get("weekdays", promo.weekdays),
    )
    with transaction.atomic():
        for name, value in changes.items():
            setattr(promo, name, value)
        promo.save()
        for name, targets in relations.items():
            getattr(promo, name).set(targets)
    return promo


class PromoInUse(Conflict):
    code = "promo_code_in_use"


def promo_delete(*, promo: PromoCode) -> None:
    """Delete a code no order has used; one that was used is turned off instead (active false)."""
    try:
        with transaction.atomic():
            promo.delete()
    except ProtectedError as exc:
        raise PromoInUse("Orders used this code: it can not be deleted; turn it off (active: false).") from exc
