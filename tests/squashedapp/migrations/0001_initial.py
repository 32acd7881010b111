from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Note",
            fields=[("id", models.BigAutoField(primary_key=True, serialize=False))],
        )
    ]
