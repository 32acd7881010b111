"""The version of obcms: pyproject.toml says the same (tests/test_deploy_files.py checks it).

A module of its own, below the settings that show it when the platform names no commit: the
package root, where Python looks for ``__version__``, also loads the Celery app, which the
settings must not import.
"""

__version__ = "0.1.0"
