from django.db import migrations

GROUP = "Door staff"


def create_door_staff_group(apps, schema_editor):
    """A group that carries the check-in permission: staff put door staff in it in the admin."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    # Permissions are made after migrations run; this one is needed now.
    content_type, _ = ContentType.objects.get_or_create(app_label="tickets", model="checkin")
    permission, _ = Permission.objects.get_or_create(
        codename="check_in", content_type=content_type, defaults={"name": "Can check tickets in at the door"}
    )
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(permission)


def remove_door_staff_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_check_ins"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_door_staff_group, remove_door_staff_group)]
