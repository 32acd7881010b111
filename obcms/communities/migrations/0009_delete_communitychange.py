"""CommunityChange is gone: its rows live on in auditlog's table (0008)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("communities", "0008_history_to_auditlog")]
    operations = [migrations.DeleteModel(name="CommunityChange")]
