"""The numbers people type are capped at what PostgreSQL's integer column holds
(obcms/db/columns.py), so that SQLite refuses the same values: validators only, the tables
do not change."""

from django.db import migrations, models

import obcms.db.columns


class Migration(migrations.Migration):
    dependencies = [
        ("geography", "0003_fill_census_and_coordinates"),
    ]

    operations = [
        migrations.AlterField(
            model_name="barangay",
            name="population",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="population (2024 census)",
            ),
        ),
        migrations.AlterField(
            model_name="municipality",
            name="population",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="population (2024 census)",
            ),
        ),
        migrations.AlterField(
            model_name="province",
            name="population",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="population (2024 census)",
            ),
        ),
        migrations.AlterField(
            model_name="region",
            name="population",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="population (2024 census)",
            ),
        ),
    ]
