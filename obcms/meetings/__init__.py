"""Meetings with ministries, LGUs and communities: who came, what was said, and the action
items someone promised to do by a date."""
