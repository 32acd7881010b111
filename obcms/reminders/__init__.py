"""The daily reminders and the weekly digest's lines: what is due, from every record type that
registers a source (sources.py), sent at most once a day to each person (sending.py)."""
