"""The numbers people type are capped at what PostgreSQL's integer column holds
(obcms/db/columns.py), so that SQLite refuses the same values: validators only, the tables
do not change."""

from django.db import migrations, models

import obcms.db.columns


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0004_list_order_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="need",
            name="beneficiaries",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="People who would benefit; leave empty if unknown.",
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="people affected",
            ),
        ),
        migrations.AlterField(
            model_name="need",
            name="households",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Leave empty if unknown.",
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="households affected",
            ),
        ),
        migrations.AlterField(
            model_name="need",
            name="priority",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "High"), (2, "Medium"), (3, "Low")],
                default=2,
                validators=[obcms.db.columns.ColumnLimit(32767)],
            ),
        ),
        migrations.AlterField(
            model_name="need",
            name="rank",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Its place among the prioritized needs of its region and sector (1 first).",
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
            ),
        ),
    ]
