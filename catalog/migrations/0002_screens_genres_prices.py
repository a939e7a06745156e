from decimal import Decimal

from django.db import migrations, models
import django.core.validators
import django.db.models.deletion


def legacy_layout(total_seats):
    # Frozen here on purpose: rows of up to 20 seats, A, B, C ...
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    rows, left, index = [], total_seats, 0
    while left > 0:
        name = letters[index] if index < 26 else letters[index // 26 - 1] + letters[index % 26]
        rows.append({"row": name, "seats": min(20, left)})
        left -= 20
        index += 1
    return rows


def screens_from_names(apps, schema_editor):
    """Shows had a screen name and a seat count; give each pair a screen of its own.

    Where one name came with several seat counts, the count most shows used
    keeps the plain name and the others are named with their size.
    """
    Show = apps.get_model("catalog", "Show")
    Screen = apps.get_model("catalog", "Screen")
    pairs = (
        Show.objects.values_list("screen_name", "total_seats")
        .annotate(shows=models.Count("id"))
        .order_by("screen_name", "-shows", "-total_seats")
    )
    taken = set()
    for name, total, _ in pairs:
        screen_name = name if name not in taken else f"{name} ({total} seats)"
        taken.add(screen_name)
        screen = Screen.objects.create(name=screen_name, layout=legacy_layout(total), capacity=total)
        Show.objects.filter(screen_name=name, total_seats=total).update(screen=screen)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Genre",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=50, unique=True)),
                ("slug", models.SlugField(unique=True)),
            ],
            options={"ordering": ["name"]},
        ),
        migrations.CreateModel(
            name="Screen",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, unique=True)),
                (
                    "layout",
                    models.JSONField(
                        help_text='Rows front to back: [{"row": "A", "seats": 12, "blocked": [1], "tier": "premium"}]'
                    ),
                ),
                ("capacity", models.PositiveIntegerField(editable=False)),
            ],
            options={
                "ordering": ["name"],
                "constraints": [models.CheckConstraint(condition=models.Q(("capacity__gte", 1)), name="catalog_screen_capacity")],
            },
        ),
        migrations.AddField(
            model_name="movie",
            name="genres",
            field=models.ManyToManyField(blank=True, related_name="movies", to="catalog.genre"),
        ),
        migrations.AddIndex(
            model_name="movie",
            index=models.Index(fields=["release_date"], name="catalog_mov_release_388f45_idx"),
        ),
        migrations.AddField(
            model_name="show",
            name="screen",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="shows", to="catalog.screen"
            ),
        ),
        migrations.AddField(
            model_name="show",
            name="price",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("10.00"),
                max_digits=8,
                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="show",
            name="tier_prices",
            field=models.JSONField(
                blank=True, default=dict, help_text='Prices of the layout\'s other tiers, e.g. {"premium": "14.50"}.'
            ),
        ),
        migrations.RunPython(screens_from_names, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="show",
            name="screen",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="shows", to="catalog.screen"
            ),
        ),
        migrations.RemoveConstraint(model_name="show", name="catalog_show_total_seats_range"),
        migrations.RemoveField(model_name="show", name="screen_name"),
        migrations.RemoveField(model_name="show", name="total_seats"),
        migrations.AddIndex(
            model_name="show",
            index=models.Index(fields=["screen", "date_time"], name="catalog_sho_screen__eca888_idx"),
        ),
        migrations.AddConstraint(
            model_name="show",
            constraint=models.CheckConstraint(condition=models.Q(("price__gte", 0)), name="catalog_show_price_positive"),
        ),
    ]
