"""The hand-written history (CommunityChange) carried over into django-auditlog's table, which
now records every change: same community, author, time and {field: [before, after]}. Each
carried entry is marked (additional_data) so that going back restores exactly the old rows.
Values were stored as people read them ("Verified"); the history page shows them as they are.
"""

from django.db import migrations

MARK = "communities.CommunityChange"
UPDATE = 1  # auditlog's LogEntry.Action.UPDATE
BATCH = 2000


def carry_over(apps, schema_editor):
    CommunityChange = apps.get_model("communities", "CommunityChange")
    LogEntry = apps.get_model("auditlog", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    community_type, _ = ContentType.objects.get_or_create(
        app_label="communities", model="community"
    )
    batch = []
    changes = CommunityChange.objects.select_related("community", "changed_by").order_by("pk")
    for change in changes.iterator(chunk_size=BATCH):
        batch.append(
            LogEntry(
                content_type=community_type,
                object_pk=str(change.community_id),
                object_id=change.community_id,
                object_repr=change.community.name,
                action=UPDATE,
                changes=change.changes,
                actor_id=change.changed_by_id,
                actor_email=change.changed_by.email if change.changed_by_id else None,
                timestamp=change.changed_at,
                additional_data={"carried_over_from": MARK, "id": change.pk},
            )
        )
        if len(batch) == BATCH:
            LogEntry.objects.bulk_create(batch)
            batch = []
    LogEntry.objects.bulk_create(batch)


def carry_back(apps, schema_editor):
    CommunityChange = apps.get_model("communities", "CommunityChange")
    LogEntry = apps.get_model("auditlog", "LogEntry")
    CommunityChange._meta.get_field("changed_at").auto_now_add = False  # keep the old times
    carried = LogEntry.objects.filter(additional_data__carried_over_from=MARK)
    CommunityChange.objects.bulk_create(
        [
            CommunityChange(
                id=entry.additional_data["id"],
                community_id=entry.object_id,
                changed_by_id=entry.actor_id,
                changed_at=entry.timestamp,
                changes=entry.changes,
            )
            for entry in carried.iterator(chunk_size=BATCH)
        ],
        batch_size=BATCH,
    )
    carried.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0007_remove_yes_no"),
        ("auditlog", "0017_add_actor_email"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(carry_over, carry_back, elidable=False)]
