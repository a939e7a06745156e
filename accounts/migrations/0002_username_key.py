"""Canonical username keys (accounts/identity.py) replace the lower()-based uniqueness.

Accounts whose names become one name under the canonical form are reported
and kept apart: the oldest keeps the key, the others get a marked key until
staff rename them (manage.py username_collisions). Nothing is merged.
"""

import sys

from django.db import migrations, models

from accounts.identity import collision_key, username_key


def fill_keys(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    seen: dict[str, int] = {}
    collisions = []
    for user in User.objects.order_by("date_joined", "pk").only("pk", "username"):
        key = username_key(user.username)
        if key in seen:
            collisions.append((user.pk, user.username, seen[key]))
            key = collision_key(key, user.pk)
        else:
            seen[key] = user.pk
        User.objects.filter(pk=user.pk).update(username_key=key)
    for pk, username, older in collisions:
        sys.stderr.write(
            f"accounts: user {pk} ({username!r}) has the same canonical name as user {older}; "
            "kept apart, rename it (manage.py username_collisions)\n"
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="username_key",
            field=models.CharField(editable=False, max_length=300, null=True),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="username_key",
            field=models.CharField(editable=False, max_length=300, unique=True),
        ),
        migrations.RemoveConstraint(model_name="user", name="accounts_user_username_ci_unique"),
        migrations.AlterModelOptions(name="user", options={"verbose_name": "user", "verbose_name_plural": "users"}),
    ]
