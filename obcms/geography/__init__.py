"""Philippine Standard Geographic Code: regions, provinces, cities and municipalities,
barangays."""
