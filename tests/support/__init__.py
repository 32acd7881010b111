"""What tests share: starting real processes, building registry records, walking the URL map.

Test modules import from here, never from each other.
"""
