"""The numbers people type are capped at what PostgreSQL's integer column holds
(obcms/db/columns.py), so that SQLite refuses the same values: validators only, the tables
do not change."""

from django.db import migrations, models

import obcms.db.columns


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0010_region_and_province"),
    ]

    operations = [
        migrations.AlterField(
            model_name="community",
            name="asatidz",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Religious teachers (ustadz, ustadzah).",
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="asatidz",
            ),
        ),
        migrations.AlterField(
            model_name="community",
            name="cooperatives",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="cooperatives",
            ),
        ),
        migrations.AlterField(
            model_name="community",
            name="displaced_people",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="internally displaced people",
            ),
        ),
        migrations.AlterField(
            model_name="community",
            name="families",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="families",
            ),
        ),
        migrations.AlterField(
            model_name="community",
            name="farmers",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="farmers",
            ),
        ),
        migrations.AlterField(
            model_name="community",
            name="fisherfolk",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="fisherfolk",
            ),
        ),
        migrations.AlterField(
            model_name="community",
            name="households",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Households; cannot exceed the population.",
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
            ),
        ),
        migrations.AlterField(
            model_name="community",
            name="indigenous_people",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="indigenous people",
            ),
        ),
        migrations.AlterField(
            model_name="community",
            name="madrasahs",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="madrasahs",
            ),
        ),
        migrations.AlterField(
            model_name="community",
            name="mosques",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="mosques",
            ),
        ),
        migrations.AlterField(
            model_name="community",
            name="overseas_workers",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Overseas Filipino workers (OFWs).",
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="overseas workers",
            ),
        ),
        migrations.AlterField(
            model_name="community",
            name="peoples_organizations",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="people's organisations",
            ),
        ),
        migrations.AlterField(
            model_name="community",
            name="persons_with_disability",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="persons with disability",
            ),
        ),
        migrations.AlterField(
            model_name="community",
            name="population",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="People living in the community; leave empty if unknown.",
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
            ),
        ),
        migrations.AlterField(
            model_name="community",
            name="religious_leaders",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Imams and other religious leaders.",
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="religious leaders",
            ),
        ),
        migrations.AlterField(
            model_name="community",
            name="senior_citizens",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Aged 60 and over.",
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="senior citizens",
            ),
        ),
        migrations.AlterField(
            model_name="community",
            name="solo_parents",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="solo parents",
            ),
        ),
        migrations.AlterField(
            model_name="community",
            name="unemployed",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="unemployed",
            ),
        ),
        migrations.AlterField(
            model_name="community",
            name="women",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="women",
            ),
        ),
        migrations.AlterField(
            model_name="community",
            name="youth",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Aged 15 to 30.",
                null=True,
                validators=[obcms.db.columns.ColumnLimit(2147483647)],
                verbose_name="youth",
            ),
        ),
    ]
