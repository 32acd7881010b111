"""What every platform replay starts from: the repository as the platform receives it (a
copy: no git history, no virtualenv, no built files) and a fresh virtualenv from the lock."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.processes import REPO, run

# What `git push` does not carry: ignored by .gitignore, or git's own.
NOT_PUSHED = (".git", ".venv", "var", "staticfiles", "__pycache__", ".pytest_cache", ".ruff_cache")


def copy_repository(destination: Path) -> Path:
    """The repository as pushed, at ``destination``."""
    shutil.copytree(REPO, destination, ignore=shutil.ignore_patterns(*NOT_PUSHED))
    return destination


def install(app: Path, venv: Path) -> dict[str, str]:
    """A fresh virtualenv at ``venv`` with requirements.txt installed (hashes enforced, as
    they are in the file); returns the build environment: that virtualenv's PATH and HOME,
    nothing else."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp")}
    installed = run("pip install --quiet -r requirements.txt", env, 900, cwd=app)
    assert installed.returncode == 0, installed.stderr[-2000:]
    return env


def needing_a_secret_at_import(app: Path) -> Path:
    """The negative twin of "import never needs secrets": settings that read SECRET_KEY with
    os.environ[...] at import, as many Django projects do."""
    settings = app / "obcms" / "settings.py"
    settings.write_text(
        settings.read_text() + '\nimport os\n\nSECRET_KEY = os.environ["SECRET_KEY"]\n'
    )
    return app
