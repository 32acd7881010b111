"""The squash of 0001 and 0002, as `squashmigrations squashedapp 0002` writes it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("squashedapp", "0001_initial"), ("squashedapp", "0002_note_text")]
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Note",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("text", models.TextField(default="")),
            ],
        )
    ]
