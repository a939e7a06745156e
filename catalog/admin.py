from django import forms
from django.contrib import admin
from django.db import models

from . import services
from .models import Movie, Show
from .selectors import TAKEN_SEATS


class ShowAdminForm(forms.ModelForm):
    class Meta:
        model = Show
        fields = ["movie", "screen_name", "date_time", "total_seats"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("total_seats"):
            services.show_check_seats(show=self.instance, total_seats=cleaned["total_seats"])
        return cleaned


class ShowInline(admin.TabularInline):
    model = Show
    form = ShowAdminForm
    extra = 1
    fields = ["screen_name", "date_time", "total_seats"]
    ordering = ["date_time"]


@admin.register(Movie)
class MovieAdmin(admin.ModelAdmin):
    list_display = ["title", "duration_minutes", "release_date", "language", "certificate"]
    search_fields = ["title", "description"]
    inlines = [ShowInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Show)
class ShowAdmin(admin.ModelAdmin):
    form = ShowAdminForm
    list_display = ["movie", "screen_name", "date_time", "total_seats", "booked_seats", "available_seats"]
    list_filter = ["screen_name", "date_time"]
    list_select_related = ["movie"]
    search_fields = ["movie__title", "screen_name"]
    date_hierarchy = "date_time"
    autocomplete_fields = ["movie"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(booked=TAKEN_SEATS)

    @admin.display(description="booked", ordering="booked")
    def booked_seats(self, show: Show) -> int:
        return show.booked

    @admin.display(description="available")
    def available_seats(self, show: Show) -> int:
        return show.total_seats - show.booked

    def save_model(self, request, obj, form, change):
        if change:
            # Through the service, so the seat check happens under the show lock.
            services.show_update(show=obj, **{name: form.cleaned_data[name] for name in form.changed_data})
        else:
            super().save_model(request, obj, form, change)
