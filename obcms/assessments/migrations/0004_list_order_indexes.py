"""The assessment list's and the needs register's own orders indexed (issue 19): a page of a
region's rows walks the index instead of sorting every match."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0003_need_lifecycle"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(fields=["-assessed_on", "-id"], name="assessment_date_idx"),
        ),
        migrations.AddIndex(
            model_name="need",
            index=models.Index(
                fields=["status", "rank", "priority", "-id"], name="need_register_order_idx"
            ),
        ),
    ]
