"""Security posture beyond Django's own: response headers, request size, sign-in throttling."""
