# The two commands of the README, and what maintainers run now and then.
#   make run    set up everything and run web + worker + beat on embedded defaults
#   make test   set up and run the test suite
# Any Python from 3.11 on works: PYTHON=python3.13 make run

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Three pytest processes, each test file whole in one of them (module fixtures built once),
# files handed out in collection order (the longest first: tests/conftest.py): most tests
# wait on subprocesses, so 3 beat 2 on two cores. `make test PYTEST_ARGS=...` replaces it
# (no -n there runs serially).
PYTEST_ARGS ?= -n 3 --dist loadfile --no-loadscope-reorder
# The Procfile's commands (gunicorn, celery, python) come from the virtualenv.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test setup lint lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the lock changes.
$(VENV)/.installed: requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

run: setup
	DEBUG=true $(BIN)/python manage.py release
	DEBUG=true $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DEBUG=true $(BIN)/python manage.py seed_demo --if-empty
	@echo
	@echo "  obcms is starting at http://localhost:$(PORT)/  (Ctrl-C stops everything)"
	@echo
	DEBUG=true honcho start --port $(PORT) web worker beat

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Regenerate the pinned locks from pyproject.toml (needs the package index).
lock: setup
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet -o requirements.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes --quiet -o requirements-dev.txt

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
