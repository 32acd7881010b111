import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "/platforms/" in str(item.fspath):
            item.add_marker(pytest.mark.platforms)
