"""Helpers for the data stores, below the probes, the operator commands and the registry apps
that use them: what the database has applied, fresh planner statistics, the Redis client."""
