"""The numbers people type are capped at what PostgreSQL's integer column holds
(obcms/db/columns.py), so that SQLite refuses the same values: validators only, the tables
do not change."""

from django.db import migrations, models

import obcms.db.columns


class Migration(migrations.Migration):
    dependencies = [
        ("ppas", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ppa",
            name="reached_beneficiaries",
            field=models.PositiveIntegerField(
                blank=True, null=True, validators=[obcms.db.columns.ColumnLimit(2147483647)]
            ),
        ),
        migrations.AlterField(
            model_name="ppa",
            name="target_beneficiaries",
            field=models.PositiveIntegerField(
                blank=True, null=True, validators=[obcms.db.columns.ColumnLimit(2147483647)]
            ),
        ),
    ]
