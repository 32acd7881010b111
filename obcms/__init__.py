"""OBC Management System."""

# Load the Celery app with Django so that @shared_task binds to it in every process.
from obcms.celery import app as celery_app
from obcms.version import __version__

__all__ = ["__version__", "celery_app"]
