"""An index for the history of a record's parts (a community's contacts, an assessment's needs):
entries_of() looks them up by additional_data -> 'part_of'. PostgreSQL only; SQLite databases
are small enough to scan."""

from django.db import migrations

INDEX = "records_logentry_part_of_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON auditlog_logentry "
            "((additional_data -> 'part_of'))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("auditlog", "0017_add_actor_email")]
    operations = [migrations.RunPython(create, drop)]
