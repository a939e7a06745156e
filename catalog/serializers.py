from rest_framework import serializers

from .models import Movie, Show


class MovieSerializer(serializers.ModelSerializer):
    class Meta:
        model = Movie
        fields = [
            "id",
            "title",
            "description",
            "duration_minutes",
            "release_date",
            "language",
            "certificate",
            "poster_url",
        ]


class ShowSerializer(serializers.ModelSerializer):
    movie_title = serializers.CharField(source="movie.title", read_only=True)
    available_seats = serializers.IntegerField(read_only=True, help_text="Seats not booked yet.")

    class Meta:
        model = Show
        fields = ["id", "movie", "movie_title", "screen_name", "date_time", "total_seats", "available_seats"]
