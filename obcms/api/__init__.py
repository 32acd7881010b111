"""The partner API at /api/v1/: the registry over REST, for agencies, analysts and scripts.

How a request goes: BearerTokenAuthentication (authentication.py) or the session -> the address
and token throttles (throttling.py) -> RecordPermission (permissions.py: the role's model
permissions, and a token's scope) -> a record viewset (viewsets.py) -> JSON, errors included
(errors.py). Schema and Swagger UI: schema.py and urls.py. Tokens and their page: models.py,
token_pages.py.

Adding a record type (PPAs, policy recommendations, meetings, ...) is one module in
``resources/`` and one line in ``urls.py``:

1. ``resources/<records>.py``: a serializer (``FormValidatedSerializer`` with ``Meta.form`` set
   to the page's ModelForm, so the API accepts exactly what the page accepts), a FilterSet with
   the list page's filters, and a viewset (``RecordViewSet`` or ``ReadOnlyRecordViewSet``) whose
   ``records()`` is the one queryset the API lists and finds by id (filter archived rows out
   there) and whose ``save_new``/``save_changes`` add what the page's view adds on save
   (``created_by``, a history of its own). Docstrings on both become the schema's text.
2. ``urls.py``: ``router.register("<records>", <Records>ViewSet, basename="<record>")``.
3. ``tests/test_api.py``: a builder in ``BUILDERS`` (the access and query-count tests walk every
   operation of the schema and fail until the new one has one).
"""
