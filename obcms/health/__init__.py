"""Liveness (/health/) and readiness (/ready/) probes that every platform trusts."""
