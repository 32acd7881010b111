from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("squashedapp", "0001_initial")]
    operations = [migrations.AddField("note", "text", models.TextField(default=""))]
