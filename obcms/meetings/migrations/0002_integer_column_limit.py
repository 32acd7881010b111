"""The numbers people type are capped at what PostgreSQL's integer column holds
(obcms/db/columns.py), so that SQLite refuses the same values: validators only, the tables
do not change."""

from django.db import migrations, models

import obcms.db.columns


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="meeting",
            name="participants_female",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="women present",
            ),
        ),
        migrations.AlterField(
            model_name="meeting",
            name="participants_male",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="men present",
            ),
        ),
    ]
