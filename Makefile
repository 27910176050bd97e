# The habits of this project. `make run` and `make test` set everything up on a fresh machine.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test lint format bench migrate demo worker clean install prod-local chaos

$(STAMP): requirements.txt requirements-dev.txt .python-version
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py media_bucket

demo: migrate
	$(PY) manage.py seed_demo --no-pages

# Serves the site, the TikTok sandbox and the background worker; Ctrl-C stops all.
# Processes started with & ignore Ctrl-C, so the shell stops them itself (the
# seeding too, or a Ctrl-C while it waits for the server prints a traceback).
# It stops only those it started: a kill of its whole process group would take
# make too, and the terminal would print "Terminated" (and $? would be 143).
# The trap first ignores the signals, or a second Ctrl-C runs it again.
run: demo
	@echo "linkinbio on http://$(HOST):$(PORT)/ (Ctrl-C stops the server and the worker)"
	@trap 'trap "" INT TERM; kill $$started 2>/dev/null; wait; exit 0' INT TERM; \
	$(PY) manage.py db_worker --interval 1 & started=$$!; \
	$(PY) manage.py db_worker --interval 1 --queue-name icons & started="$$started $$!"; \
	$(PY) manage.py scheduler & started="$$started $$!"; \
	$(PY) manage.py runserver $(HOST):$(PORT) & started="$$started $$!"; \
	$(PY) manage.py seed_demo --pages --wait 60 & started="$$started $$!"; \
	wait

# The production shape on one machine (gunicorn, PostgreSQL, Redis, an S3
# server, two workers, the scheduler, the sandbox as TikTok); see bin/prod-local.
prod-local: $(STAMP)
	bin/prod-local

# Faults under load on the production shape, with its own PostgreSQL cluster,
# Redis and S3 server on free ports (tests/bench/chaos.py); prints a table.
chaos: $(STAMP)
	$(PY) -m tests.bench.chaos

worker: migrate
	$(PY) manage.py db_worker --queue-name default,icons

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: $(STAMP)
	mkdir -p var
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/pytest

# SECTIONS=5 (say) runs only those sections of the benchmark.
bench: migrate
	$(PY) -m tests.bench $(SECTIONS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
