"""One module per record type: its serializer, filters and viewset (see obcms/api/__init__.py)."""
