"""What every registry record shares: its history (history.py), its archive (archive.py), and
how lists filter, sort and page it (listing.py, templatetags/lists.py).

A new record type adopts history and archive in five lines::

    class Meeting(Archivable):                  # models.py: archived_at/by/reason, .active()
        class Meta(Archivable.Meta): ...        # creates the archive_meeting permission
    history.track(Meeting)                      # every change, who, when, before and after
    archive, restore = archive_views(Meeting)   # urls.py: <int:pk>/archive/ and /restore/
    {% archive_panel meeting "app:archive" "app:restore" %}{% include "includes/history.html" %}

and its list starts from ``RecordFilterSet`` so that archived meetings leave it.
"""
