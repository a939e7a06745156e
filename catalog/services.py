"""Every change to the catalog: staff API, admin and seed_demo all come here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, QuerySet
from django.utils import timezone

from core.exceptions import ServiceError
from webhooks.services import event_emit

from .exceptions import HasBookings, ScheduleConflict
from .layouts import STANDARD, Row, SeatPlan, normalize_label, rows_of
from .models import MAX_DURATION_MINUTES, Genre, Movie, Screen, Show, TicketType

MAX_PRICE = Decimal("999999.99")
LONGEST_MOVIE = timedelta(minutes=MAX_DURATION_MINUTES)


def _delete(obj: Movie | Show | Screen, what: str, advice: str, shows: QuerySet[Show] | None = None) -> None:
    """Delete ``obj``, telling webhooks of the ``shows`` that go with it (in the same
    transaction: no event if the delete is refused)."""
    try:
        with transaction.atomic():
            for show in (shows if shows is not None else Show.objects.none()).select_related("movie", "screen"):
                event_emit(event_type="show.deleted", data=_show_data(show))
            obj.delete()
    except (ProtectedError, IntegrityError) as exc:
        # Booking.show and Show.screen are PROTECT (deferred foreign keys in
        # the database too), so history never disappears with its parent.
        raise HasBookings(f"This {what} can not be deleted: {advice}") from exc


def movie_delete(*, movie: Movie) -> None:
    _delete(movie, "movie", "it has bookings; cancel its shows instead.", shows=movie.shows.all())


def show_delete(*, show: Show) -> None:
    _delete(show, "show", "it has bookings; cancel them first.", shows=Show.objects.filter(pk=show.pk))


def _show_data(show: Show) -> dict[str, Any]:
    """What a webhook receiver learns of a show."""
    return {
        "show": show.pk,
        "movie": show.movie_id,
        "movie_title": show.movie.title,
        "screen": show.screen_id,
        "screen_name": show.screen.name,
        "date_time": show.date_time,
        "price": show.price,
        "tier_prices": show.tier_prices,
        "ticket_prices": show.type_prices(),
    }


def screen_delete(*, screen: Screen) -> None:
    _delete(screen, "screen", "shows are scheduled in it.")


def occupied_seats(shows: QuerySet[Show]) -> list[dict[str, Any]]:
    """The rows that own a seat (booked or held, lapsed holds included) in these shows.

    Invariant: every such row names a seat of its show's current layout. So a
    show with any of them can not move to another screen, time or movie, and
    a screen's layout can not change while any show in it has one.
    """
    # Booking is reached through Show.bookings (catalog does not import
    # bookings), and what "owns a seat" means is its one definition.
    booking: Any = Show.bookings.rel.related_model
    rows = booking.objects.filter(show__in=shows, status__in=booking.OCCUPYING).order_by("show_id", "seat_number")
    return [
        {"show": show_id, "seat_number": number, "seat_label": label, "status": status}
        for show_id, number, label, status in rows.values_list("show_id", "seat_number", "seat_label", "status")
    ]


def _refuse_if_occupied(shows: QuerySet[Show], message: str) -> None:
    seats = occupied_seats(shows)
    if seats:
        listed = ", ".join(f"{seat['seat_label']} ({seat['status']})" for seat in seats[:20])
        more = f" and {len(seats) - 20} more" if len(seats) > 20 else ""
        raise HasBookings(f"{message} Seats: {listed}{more}.", seats=seats)


def screen_check_layout(*, screen: Screen, layout: object) -> list[Row]:
    """A layout in canonical form. A screen's layout is frozen while any show in
    it has booked or held seats: seat numbers come from the layout, and sold
    tickets and held seats must keep pointing at the same seats. Call it with
    the screen's shows locked (screen_save does), or a hold may slip in."""
    clean = SeatPlan(layout).layout  # ValidationError for a bad layout
    if screen.pk and clean != Screen.objects.get(pk=screen.pk).layout:
        _refuse_if_occupied(
            screen.shows.all(),
            "Shows in this screen have booked, held or blocked seats; its layout can not change. "
            "Cancel the bookings, or wait for the holds to end (expire_holds frees lapsed ones).",
        )
    return clean


SEATING_FIELDS = ("sweet_row", "sweet_place", "no_single_seats", "unsold_seats")


def screen_check_seating(*, plan: SeatPlan, sweet_row: str, sweet_place: int | None, unsold_seats: object) -> Any:
    """The sweet spot and the unsold seats checked against the layout: the unsold
    seats in canonical form ({"F7": "broken seat"}); ValidationError by field."""
    rows = {row["row"]: row for row in plan.layout}
    if sweet_row and sweet_row not in rows:
        raise ValidationError({"sweet_row": f"No row {sweet_row} in this screen's layout."})
    longest = rows[sweet_row]["seats"] if sweet_row else max(row["seats"] for row in plan.layout)
    if sweet_place is not None and not 1 <= sweet_place <= longest:
        raise ValidationError({"sweet_place": f"A place from 1 to {longest}."})
    if not isinstance(unsold_seats, dict) or len(unsold_seats) > plan.capacity:
        raise ValidationError({"unsold_seats": 'Seats by label, each with why: {"F7": "broken seat"}.'})
    clean: dict[str, str] = {}
    for text, reason in unsold_seats.items():
        label = normalize_label(text) if isinstance(text, str) else None
        if label is None or plan.number_of(label) is None:
            raise ValidationError({"unsold_seats": f"No seat {text!r} in this screen's layout."})
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 100 or "\x00" in reason:
            raise ValidationError({"unsold_seats": f"{label}: give why, in 1 to 100 characters."})
        clean[label] = reason.strip()
    return dict(sorted(clean.items(), key=lambda item: plan.number_of(item[0]) or 0))


def screen_save(
    *,
    screen: Screen,
    name: str,
    layout: list[Row],
    ticket_prices: dict[str, Any] | None = None,
    **seating: Any,
) -> Screen:
    """Create or change a screen (see screen_check_layout for the rule on layouts);
    ``ticket_prices``, its default prices of the other ticket types (None: unchanged);
    ``seating``, any of SEATING_FIELDS (left out: unchanged)."""
    unexpected = set(seating) - set(SEATING_FIELDS)
    if unexpected:
        raise TypeError(f"screen_save() got unexpected keywords {sorted(unexpected)}")
    with transaction.atomic():
        if screen.pk:
            screen = Screen.objects.select_for_update().get(pk=screen.pk)
            # The shows' locks are the ones every booking and hold takes: with
            # them held, no seat can be taken between the check and the save.
            list(Show.objects.select_for_update(no_key=True).filter(screen=screen).values_list("pk", flat=True))
        screen.layout = screen_check_layout(screen=screen, layout=layout)
        screen.name = name
        for field, value in seating.items():
            setattr(screen, field, value)
        # Checked against the layout being saved, whichever of them changed.
        screen.unsold_seats = screen_check_seating(
            plan=SeatPlan(screen.layout, validate=False),
            sweet_row=screen.sweet_row,
            sweet_place=screen.sweet_place,
            unsold_seats=screen.unsold_seats,
        )
        if ticket_prices is not None:
            screen.ticket_prices = clean_ticket_prices(
                tiers=SeatPlan(screen.layout, validate=False).tiers, ticket_prices=ticket_prices, of_show=False
            )
        try:
            with transaction.atomic():
                screen.save()
        except IntegrityError as exc:
            raise ValidationError({"name": "A screen with this name already exists."}) from exc
    return screen


def screen_for_name(*, name: str, total_seats: int | None) -> Screen:
    """The screen a client means by the older {screen_name, total_seats} form.

    An existing screen must have that many seats; a new name makes a screen of
    rows of up to 20 seats.
    """
    screen = Screen.objects.filter(name__iexact=name.strip()).first()
    if screen is not None:
        if total_seats is not None and total_seats != screen.capacity:
            raise ValidationError({"total_seats": f"{screen.name} has {screen.capacity} seats, not {total_seats}."})
        return screen
    if total_seats is None:
        raise ValidationError({"screen_name": f"No screen named {name!r}; give total_seats to create it, or screen."})
    return screen_save(screen=Screen(), name=name.strip(), layout=rows_of(total_seats))


def clean_tier_prices(*, screen: Screen, tier_prices: object) -> dict[str, str]:
    """Prices for the screen's non-standard tiers, as strings with two decimals."""
    tier_prices = tier_prices or {}
    if not isinstance(tier_prices, dict):
        raise ValidationError({"tier_prices": 'Give an object such as {"premium": "14.50"}.'})
    tiers = screen.plan.tiers - {STANDARD}
    unknown = sorted(set(tier_prices) - tiers)
    if unknown:
        offered = ", ".join(sorted(tiers)) or "none"
        raise ValidationError(
            {"tier_prices": f"{screen.name} has no tier {', '.join(unknown)} (its tiers: {offered})."}
        )
    return {tier: _price(value, tier, "tier_prices") for tier, value in tier_prices.items()}


def clean_ticket_prices(*, tiers: set[str], ticket_prices: object, of_show: bool) -> dict[str, Any]:
    """A grid of prices by ticket type and tier ({"child": {"standard": "5.00"}}),
    checked and with two decimals: types that exist, other than the default one
    (priced by a show's price and tier_prices), and tiers of the layout. A
    show's grid may set a type to null: not sold for that show."""
    field = "ticket_prices"
    if not ticket_prices:
        return {}  # no types to look up
    if not isinstance(ticket_prices, dict):
        raise ValidationError({field: 'Give an object such as {"child": {"standard": "5.00"}}.'})
    known = set(TicketType.objects.exclude(code=settings.DEFAULT_TICKET_TYPE).values_list("code", flat=True))
    unknown = sorted(set(ticket_prices) - known)
    if unknown:
        types = ", ".join(sorted(known)) or "none"
        raise ValidationError({field: f"No ticket type {', '.join(map(str, unknown))} to price here (types: {types})."})
    clean: dict[str, Any] = {}
    for code, cells in ticket_prices.items():
        if cells is None and of_show:
            clean[code] = None
            continue
        if not isinstance(cells, dict):
            what = (
                "an object of prices by tier, or null (not sold for this show)"
                if of_show
                else "an object of prices by tier"
            )
            raise ValidationError({field: f"The prices of {code} must be {what}."})
        wrong = sorted(set(cells) - tiers)
        if wrong:
            raise ValidationError(
                {field: f"No tier {', '.join(map(str, wrong))} here (tiers: {', '.join(sorted(tiers))})."}
            )
        clean[code] = {tier: _price(value, f"{code}, {tier}", field) for tier, value in cells.items()}
    return clean


def _price(value: object, what: str, field: str) -> str:
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        price = None
    if isinstance(value, bool) or price is None or not price.is_finite() or not 0 <= price <= MAX_PRICE:
        raise ValidationError({field: f"The price of {what} must be a number from 0 to {MAX_PRICE}."})
    return str(price.quantize(Decimal("0.01")))


def overlapping_show(*, screen: Screen, movie: Movie, date_time: datetime, exclude_id: int | None) -> Show | None:
    """The show that would share the screen with this one, counting the cleaning buffer."""
    buffer = timedelta(minutes=settings.CLEANING_BUFFER_MINUTES)
    ends = date_time + timedelta(minutes=movie.duration_minutes) + buffer
    # Only shows starting within the longest movie before this one can reach into it.
    candidates = (
        Show.objects.filter(screen=screen, date_time__lt=ends, date_time__gt=date_time - LONGEST_MOVIE - buffer)
        .exclude(pk=exclude_id or 0)  # ids start at 1
        .select_related("movie", "screen")
        .order_by("date_time")
    )
    return next((other for other in candidates if other.ends_at > date_time), None)


def movie_create(*, genres: Iterable[Genre] = (), **fields: Any) -> Movie:
    """Add a movie: its fields as the Movie model names them, and its genres."""
    with transaction.atomic():
        movie = Movie.objects.create(**fields)
        movie.genres.set(genres)
    return movie


def movie_update(*, movie: Movie, genres: Iterable[Genre] | None = None, **changes: Any) -> Movie:
    """Change a movie; a longer duration must still fit its shows (movie_check_duration)."""
    with transaction.atomic():
        if "duration_minutes" in changes:
            movie_check_duration(movie=movie, duration_minutes=changes["duration_minutes"])
        for name, value in changes.items():
            setattr(movie, name, value)
        movie.save()
        if genres is not None:
            movie.genres.set(genres)
    return movie


def movie_check_duration(*, movie: Movie, duration_minutes: int) -> None:
    """A movie made longer must still fit each of its shows that has not ended:
    ScheduleConflict naming the first show in the way. Locks those shows'
    screens (as scheduling does), so call it in the transaction that saves."""
    if not movie.pk or duration_minutes <= movie.duration_minutes:
        return  # a shorter movie never overlaps anything new
    shows = list(
        Show.objects.filter(movie=movie, date_time__gt=timezone.now() - timedelta(minutes=movie.duration_minutes))
        .select_related("screen")
        .order_by("date_time")
    )
    list(Screen.objects.select_for_update().filter(pk__in={show.screen_id for show in shows}).values_list("pk"))
    longer = Movie(pk=movie.pk, title=movie.title, duration_minutes=duration_minutes)
    for show in shows:
        other = overlapping_show(screen=show.screen, movie=longer, date_time=show.date_time, exclude_id=show.pk)
        if other is not None:
            raise ScheduleConflict(
                f"At {duration_minutes} minutes, show {show.pk} in {show.screen.name} would run into show "
                f"{other.pk} ({other.movie.title} at {timezone.localtime(other.date_time):%Y-%m-%d %H:%M}); "
                "move or cancel one of them first.",
                show=show.pk,
                conflicting_show=other.pk,
            )


def show_validate(
    *, show: Show | None, movie: Movie, screen: Screen, date_time: datetime, tier_prices: object
) -> dict[str, str]:
    """Every scheduling rule for a new or changed show; returns the clean tier prices.

    The admin form calls it for friendly errors; show_schedule and show_update
    call it again under the screen's lock, where it counts.
    """
    moved = show is None or (show.screen_id, show.date_time, show.movie_id) != (screen.pk, date_time, movie.pk)
    if moved and date_time <= timezone.now():
        raise ValidationError({"date_time": "A show can not be scheduled in the past."})
    if moved and date_time > timezone.now() + timedelta(days=settings.SCHEDULE_HORIZON_DAYS):
        raise ValidationError(
            {"date_time": f"A show can be scheduled at most {settings.SCHEDULE_HORIZON_DAYS} days ahead."}
        )
    if show is not None and moved:
        _refuse_if_occupied(
            Show.objects.filter(pk=show.pk),
            "This show has booked, held or blocked seats; release the blocks, cancel the bookings and wait "
            "for the holds to end before moving it to another screen, time or movie.",
        )
    if moved:
        other = overlapping_show(
            screen=screen, movie=movie, date_time=date_time, exclude_id=show.pk if show is not None else None
        )
        if other is not None:
            local = timezone.localtime(other.date_time)
            raise ValidationError(
                {
                    "date_time": (
                        f"{screen.name} is taken: show {other.pk} ({other.movie.title} at {local:%Y-%m-%d %H:%M}) "
                        f"runs until {timezone.localtime(other.ends_at):%H:%M} including "
                        f"{settings.CLEANING_BUFFER_MINUTES} minutes of cleaning."
                    )
                }
            )
    return clean_tier_prices(screen=screen, tier_prices=tier_prices)


def show_screen(
    *, screen: Screen | None, screen_name: str | None, total_seats: int | None, show: Show | None
) -> Screen | None:
    """The screen a new or changed show goes to: ``screen`` itself, or by the older
    form ``screen_name`` (+ ``total_seats``); None to keep a changed show's screen."""
    if screen is not None:
        return screen
    if screen_name is not None:
        return screen_for_name(name=screen_name, total_seats=total_seats)
    if show is not None and total_seats is not None and total_seats != show.total_seats:
        raise ValidationError({"total_seats": "total_seats comes from the screen; move the show to another screen."})
    return None


def show_create(
    *,
    movie: Movie,
    date_time: datetime,
    price: Decimal,
    tier_prices: dict[str, Any] | None = None,
    ticket_prices: dict[str, Any] | None = None,
    screen: Screen | None = None,
    screen_name: str | None = None,
    total_seats: int | None = None,
) -> Show:
    """Schedule a show in ``screen``, or in the screen the older form names. One
    transaction: a screen made for the older form goes if the show is refused."""
    with transaction.atomic():
        target = show_screen(screen=screen, screen_name=screen_name, total_seats=total_seats, show=None)
        if target is None:
            raise ValidationError({"screen": ["Give screen (an id) or screen_name."]})
        return show_schedule(
            movie=movie,
            screen=target,
            date_time=date_time,
            price=price,
            tier_prices=tier_prices,
            ticket_prices=ticket_prices,
        )


def show_change(
    *,
    show: Show,
    screen: Screen | None = None,
    screen_name: str | None = None,
    total_seats: int | None = None,
    **changes: Any,
) -> Show:
    """Change a show (see show_update), its screen given either way show_create takes."""
    with transaction.atomic():
        target = show_screen(screen=screen, screen_name=screen_name, total_seats=total_seats, show=show)
        if target is not None:
            changes["screen"] = target
        return show_update(show=show, **changes)


def show_schedule(
    *,
    movie: Movie,
    screen: Screen,
    date_time: datetime,
    price: Decimal,
    tier_prices: dict[str, Any] | None = None,
    ticket_prices: dict[str, Any] | None = None,
) -> Show:
    """Put a movie on a screen. Locking the screen row makes the overlap check
    and the insert one step, so two staff members can not book the same slot."""
    with transaction.atomic():
        screen = Screen.objects.select_for_update().get(pk=screen.pk)
        tiers = show_validate(show=None, movie=movie, screen=screen, date_time=date_time, tier_prices=tier_prices)
        grid = clean_ticket_prices(tiers=screen.plan.tiers, ticket_prices=ticket_prices, of_show=True)
        show = Show.objects.create(
            movie=movie, screen=screen, date_time=date_time, price=price, tier_prices=tiers, ticket_prices=grid
        )
        event_emit(event_type="show.created", data=_show_data(show))
        return show


def show_update(*, show: Show, **changes: Any) -> Show:
    """Change a show: its movie, screen, time or prices, under the same rules as
    scheduling. Locks the target screen, then the show (bookings lock the
    show), so the booked-seats check and the move are one step."""
    with transaction.atomic():
        screen = Screen.objects.select_for_update().get(pk=changes.get("screen", show.screen).pk)
        locked = Show.objects.select_for_update(no_key=True, of=("self",)).select_related("movie").get(pk=show.pk)
        movie = changes.get("movie", locked.movie)
        date_time = changes.get("date_time", locked.date_time)
        tier_prices = changes.get("tier_prices", locked.tier_prices)
        locked.tier_prices = show_validate(
            show=locked, movie=movie, screen=screen, date_time=date_time, tier_prices=tier_prices
        )
        locked.ticket_prices = clean_ticket_prices(
            tiers=screen.plan.tiers, ticket_prices=changes.get("ticket_prices", locked.ticket_prices), of_show=True
        )
        locked.movie, locked.screen, locked.date_time = movie, screen, date_time
        locked.price = changes.get("price", locked.price)
        locked.save()
        event_emit(event_type="show.changed", data=_show_data(locked))
    return locked


def show_repeat(*, show: Show, dates: Iterable[date]) -> tuple[list[Show], list[tuple[date, str]]]:
    """Schedule ``show`` again on each of ``dates``, at the same local time, in the same
    screen at the same prices. Each date is scheduled on its own (show_schedule's rules
    and lock): a date in the past or one that would overlap another show is skipped, with
    the reason, and the others are created. Returns (created, skipped)."""
    created: list[Show] = []
    skipped: list[tuple[date, str]] = []
    at = timezone.localtime(show.date_time).time()
    for day in dates:
        when = timezone.make_aware(datetime.combine(day, at))
        if when <= timezone.now():
            skipped.append((day, "it would start in the past"))
            continue
        try:
            created.append(
                show_schedule(
                    movie=show.movie,
                    screen=show.screen,
                    date_time=when,
                    price=show.price,
                    tier_prices=show.tier_prices,
                    ticket_prices=show.ticket_prices,
                )
            )
        except ServiceError as exc:
            skipped.append((day, exc.message))
        except ValidationError as exc:
            skipped.append((day, " ".join(exc.messages)))
    return created, skipped
