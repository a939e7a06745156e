"""The project's tables as a plain implementation would declare them (unmanaged: the project's migrations own them)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import models


class User(AbstractBaseUser):
    username = models.CharField(max_length=150, unique=True)
    email = models.EmailField(blank=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField()

    USERNAME_FIELD = "username"

    class Meta:
        managed = False
        db_table = "accounts_user"


class Show(models.Model):
    date_time = models.DateTimeField()
    price = models.DecimalField(max_digits=8, decimal_places=2)
    movie_id = models.BigIntegerField()
    screen_id = models.BigIntegerField()

    class Meta:
        managed = False
        db_table = "catalog_show"

    def __str__(self) -> str:
        return f"show {self.pk}"


class Booking(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    show = models.ForeignKey(Show, on_delete=models.CASCADE)
    seat_number = models.PositiveIntegerField()
    seat_label = models.CharField(max_length=8)
    status = models.CharField(max_length=16, default="booked")
    price = models.DecimalField(max_digits=8, decimal_places=2)
    currency = models.CharField(max_length=3)
    reference = models.UUIDField()
    code = models.CharField(max_length=18, unique=True)
    # Columns the table requires that a first version sells one kind of ticket with.
    ticket_type_id = models.CharField(max_length=20, default="adult")
    discount = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    block_reason = models.CharField(max_length=100, default="", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        managed = False
        db_table = "bookings_booking"

    def __str__(self) -> str:
        return f"seat {self.seat_number} of show {self.show_id}"
