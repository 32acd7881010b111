"""What every platform replay starts from: the repository as the platform receives it (a
copy: no git history, no virtualenv, no built files) and a fresh virtualenv from the lock."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.parallel import build_lock
from tests.support.processes import REPO, run

# What `git push` does not carry: ignored by .gitignore, or git's own.
NOT_PUSHED = (".git", ".venv", "var", "staticfiles", "__pycache__", ".pytest_cache", ".ruff_cache")


def copy_repository(destination: Path) -> Path:
    """The repository as pushed, at ``destination``."""
    shutil.copytree(REPO, destination, ignore=shutil.ignore_patterns(*NOT_PUSHED))
    return destination


def build_env(venv: Path) -> dict[str, str]:
    """The build environment of a virtualenv: its PATH and HOME, nothing else."""
    return {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp")}


def install(app: Path, venv: Path) -> dict[str, str]:
    """A fresh virtualenv at ``venv`` with requirements.txt installed (hashes enforced, as
    they are in the file); returns its build environment."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = build_env(venv)
    installed = run("pip install --quiet -r requirements.txt", env, 900, cwd=app)
    assert installed.returncode == 0, installed.stderr[-2000:]
    return env


def production_venv() -> Path:
    """requirements.txt installed into a fresh virtualenv once per version of the lock (and
    of the Python making it), under var/tests/ as bench/ does: the Heroku slug and the
    nixpacks image build from the same lock, so both start their processes from this one
    (read-only; each builds in its own copy of the repository). Under xdist the first worker
    installs it under a lock and the others wait for it. A changed lock is a fresh install;
    Heroku CI's test-setup adds packages, so that replay makes its own."""
    lock = REPO / "requirements.txt"
    key = hashlib.sha256(lock.read_bytes() + sys.version.encode() + sys.executable.encode())
    venv = REPO / "var" / "tests" / f"venv-{key.hexdigest()[:12]}"
    with build_lock("production-venv"):
        if not (venv / ".installed").exists():
            shutil.rmtree(venv, ignore_errors=True)
            venv.parent.mkdir(parents=True, exist_ok=True)
            install(REPO, venv)
            (venv / ".installed").touch()
    return venv


def needing_a_secret_at_import(app: Path) -> Path:
    """The negative twin of "import never needs secrets": settings that read SECRET_KEY with
    os.environ[...] at import, as many Django projects do."""
    settings = app / "obcms" / "settings.py"
    settings.write_text(
        settings.read_text() + '\nimport os\n\nSECRET_KEY = os.environ["SECRET_KEY"]\n'
    )
    return app
