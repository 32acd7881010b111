"""Each community keeps its municipality's region and province (issue 19), so that the lists
filter and count by region without joining through the municipality; filled here for the
communities already registered."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Community = apps.get_model("communities", "Community")
    Municipality = apps.get_model("geography", "Municipality")
    towns = Municipality.objects.filter(pk=OuterRef("municipality_id"))
    Community.objects.update(
        region_id=Subquery(towns.values("region_id")),
        province_id=Subquery(towns.values("province_id")),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0009_delete_communitychange"),
        ("geography", "0003_fill_census_and_coordinates"),
    ]

    operations = [
        migrations.AddField(
            model_name="community",
            name="province",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                help_text="Empty in independent cities outside any province.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="communities",
                to="geography.province",
            ),
        ),
        migrations.AddField(
            model_name="community",
            name="region",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="communities",
                to="geography.region",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="community",
            index=models.Index(
                fields=["region", "name"],
                name="community_region_name_idx",
                include=["archived_at"],
            ),
        ),
        migrations.AddIndex(
            model_name="community",
            index=models.Index(
                fields=["province", "name"],
                name="community_province_name_idx",
                include=["archived_at"],
            ),
        ),
    ]
