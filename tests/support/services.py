"""The real servers the integration tier talks to, as the environment names them."""

from __future__ import annotations

import os

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
RABBITMQ_URL = os.environ.get("RABBITMQ_URL", "")
SERVICES_GIVEN = DATABASE_URL.startswith("postgres") and REDIS_URL.startswith("redis")

# A fixed production secret for processes started by tests; never used anywhere real.
TEST_SECRET_KEY = "test-only-" + "x" * 50
