"""The platform replay tier: ``pytest -m platforms`` runs it alone."""

import pytest
import redis


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "/platforms/" in str(item.fspath):
            item.add_marker(pytest.mark.platforms)


@pytest.fixture
def platform_redis(services: dict[str, str]) -> str:
    """The platform's Redis (Coolify's resource, Heroku's add-on): database 5, emptied, so that
    no other test's worker takes these deploys' tasks and no old beat lock lingers."""
    url = services["redis"].rsplit("/", 1)[0] + "/5"
    redis.Redis.from_url(url).flushdb()
    return url
