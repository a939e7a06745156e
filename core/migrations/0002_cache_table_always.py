"""The database cache's table, whatever the cache of the process that migrates.

0001 made it only when the migrating process used the database cache; a
database migrated with REDIS_URL set or DEBUG on lacked it, and a server
started on it later with neither answered 503 on every cached read.
"""

from django.conf import settings
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # createcachetable's own table maker, which does nothing when the table is
    # there; it reads verbosity from the instance, as handle() sets it (Django 5.2).
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, settings.DATABASE_CACHE_TABLE, dry_run=False)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_cache_table")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
