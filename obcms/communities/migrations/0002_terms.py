"""The managed lists staff choose from; more can be added in the admin."""

from django.db import migrations

GROUPS = ["Iranun", "Jama Mapun", "Kalagan", "Kalibugan", "Maguindanaon", "Maranao", "Molbog",
          "Palawani", "Sama", "Sama-Bajau", "Sangil", "Tausug", "Teduray", "Yakan"]
LIVELIHOODS = ["Farming", "Fishing", "Seaweed farming", "Livestock and poultry", "Trading",
               "Small business", "Handicrafts and weaving", "Construction and labor",
               "Transport", "Government service", "Overseas work"]
LANGUAGES = ["Maranao", "Maguindanaon", "Tausug", "Iranun", "Sinama", "Yakan", "Teduray",
             "Cebuano", "Hiligaynon", "Chavacano", "Filipino", "English", "Arabic"]


def add_terms(apps, schema_editor):
    for model, names in (("EthnolinguisticGroup", GROUPS), ("Livelihood", LIVELIHOODS),
                         ("Language", LANGUAGES)):
        Model = apps.get_model("communities", model)
        for name in names:
            Model.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("communities", "0001_initial")]
    operations = [migrations.RunPython(add_terms, migrations.RunPython.noop)]
