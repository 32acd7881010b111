"""The calendar: a month and an agenda view of what is dated in the registry, and a private
ICS feed per staff member. What it shows comes from the sources in sources.py."""
