"""The yes/no service answers, now carried by the ratings (0006)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("communities", "0006_ratings_from_yes_no")]
    operations = [
        migrations.RemoveField(model_name="community", name=name)
        for name in (
            "has_school",
            "has_madrasah",
            "has_health_facility",
            "has_potable_water",
            "has_electricity",
        )
    ]
