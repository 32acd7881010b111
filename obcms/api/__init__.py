"""The partner API at /api/v1/: the registry over REST, for agencies, analysts and scripts.

How a request goes: BearerTokenAuthentication (authentication.py) or the session -> the address
and token throttles (throttling.py) -> RecordPermission (permissions.py: the role's model
permissions, and a token's scope) -> a record viewset (viewsets.py) -> JSON, errors included
(errors.py). Schema and Swagger UI: schema.py and urls.py. Tokens and their page: models.py,
token_pages.py.

Archived records (obcms/api/archive.py): reads reach current ones unless ``?archived=archived``
or ``all`` asks (lists through the list page's filter, a record's own URL likewise), writes
current ones only; administrators archive and restore through the ``archive`` and ``restore``
actions. History: writes run in ``writing()``, which names the token's owner in auditlog.

Adding a record type (PPAs, policy recommendations, meetings, ...) is one module in
``resources/`` and one line in ``urls.py``:

1. ``resources/<records>.py``: a serializer (``FormValidatedSerializer`` with ``Meta.form`` set
   to the page's ModelForm, so the API accepts exactly what the page accepts; ``ArchiveFields``
   and ``ARCHIVE_FIELDS`` for an archivable model), a FilterSet that subclasses the list page's
   (``class MeetingFilter(ApiFilters, filters.MeetingFilter)``: descriptions for the schema,
   ``sort = None``, and what only a program needs), and a viewset (``RecordViewSet`` or
   ``ReadOnlyRecordViewSet``, with ``ArchiveActions`` first for an archivable model) whose
   ``records()`` is every row with its joins (archived ones too: the archive rule is applied
   for it) and whose ``save_new``/``save_changes`` add what the page's view adds on save
   (``created_by``). Docstrings on both become the schema's text.
2. ``urls.py``: ``router.register("<records>", <Records>ViewSet, basename="<record>")``.
3. ``tests/test_api.py``: a builder in ``BUILDERS`` (the access and query-count tests walk every
   operation of the schema and fail until the new one has one), and the model's factory in
   ``ARCHIVABLE`` if it is archivable.
"""
