"""A migration that always fails, for the release step's failure path."""

from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = [("sessions", "0001_initial")]
    operations = [migrations.RunSQL("SELECT 1 / 0", reverse_sql=migrations.RunSQL.noop)]
