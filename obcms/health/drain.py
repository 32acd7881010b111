"""Drain at shutdown: between the platform's SIGTERM and the closing of the listening socket,
the web process keeps serving while ``/ready/`` answers 503, so a router that still sends
requests (a rolling update, a proxy that has not noticed yet) gets answers, not resets.

gunicorn's master starts draining (gunicorn.conf.py, GUNICORN_DRAIN_SECONDS) by creating a flag
file named after its pid; its workers, whose parent it is, see it. A file because the master
and its forked workers share nothing else that is this cheap to read on every probe.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def flag_path(master_pid: int) -> Path:
    return Path(tempfile.gettempdir()) / f"obcms-draining-{master_pid}"


def start_draining() -> None:
    """In gunicorn's master: from now on its workers' /ready/ answers 503."""
    flag_path(os.getpid()).touch()


def stop_path(master_pid: int) -> Path:
    return Path(tempfile.gettempdir()) / f"obcms-stopping-{master_pid}"


def start_stopping() -> None:
    """In gunicorn's master, when the drain is over: the SIGTERM its workers get next is its
    own, to stop (not the platform's, sent to every process at once, as Heroku does)."""
    stop_path(os.getpid()).touch()


def stopping() -> bool:
    """In a worker: whether its master has finished draining and now stops."""
    return stop_path(os.getppid()).exists()


def stop_draining() -> None:
    """In gunicorn's master, on exit: leave no flag behind for a later process with its pid."""
    flag_path(os.getpid()).unlink(missing_ok=True)
    stop_path(os.getpid()).unlink(missing_ok=True)


def draining() -> bool:
    """In a worker: whether its master is draining (outside gunicorn, never)."""
    return flag_path(os.getppid()).exists()
