from __future__ import annotations

from datetime import datetime, timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

MAX_SEATS_PER_SHOW = 5000


class Movie(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    duration_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(600)])
    release_date = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=50, blank=True)
    certificate = models.CharField(max_length=10, blank=True, help_text="Age rating, e.g. PG-13.")
    poster_url = models.URLField(blank=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["title"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1, duration_minutes__lte=600),
                name="catalog_movie_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Show(models.Model):
    """One screening of a movie: a date, a screen and a number of seats (1..total_seats)."""

    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="shows")
    screen_name = models.CharField(max_length=100)
    date_time = models.DateTimeField(db_index=True)
    total_seats = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(MAX_SEATS_PER_SHOW)])

    class Meta:
        ordering = ["date_time", "id"]
        indexes = [models.Index(fields=["movie", "date_time"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_seats__gte=1, total_seats__lte=MAX_SEATS_PER_SHOW),
                name="catalog_show_total_seats_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.movie} at {self.date_time:%Y-%m-%d %H:%M} ({self.screen_name})"

    @property
    def ends_at(self) -> datetime:
        return self.date_time + timedelta(minutes=self.movie.duration_minutes)
