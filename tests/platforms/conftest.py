"""The platform replay tier: ``pytest -m platforms`` runs it alone."""

from pathlib import Path

import pytest

from tests.platforms.builds import production_venv as _production_venv


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "/platforms/" in str(item.fspath):
            item.add_marker(pytest.mark.platforms)


@pytest.fixture
def platform_redis(own_redis) -> str:
    """The platform's Redis (Coolify's resource, Heroku's add-on): a database of its own, so
    that no other test's worker takes these deploys' tasks and no old beat lock lingers."""
    return own_redis(5)


@pytest.fixture(scope="session")
def production_venv() -> Path:
    """requirements.txt in a virtualenv, installed once per lock (tests/platforms/builds.py)."""
    return _production_venv()
