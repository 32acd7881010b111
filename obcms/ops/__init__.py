"""Operator commands: release, doctor, probe and the deployment checks."""
