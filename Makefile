# IMS Console: `make run` serves the console with demo data, `make test` runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYENV_ROOT ?= $(HOME)/.pyenv

# Django 6.1 needs Python >= 3.12. The first interpreter that is new enough wins: one on PATH,
# then pyenv's installed versions (their `python3.x` shims fail unless PYENV_VERSION names them,
# so each candidate is run, not merely found).
PYTHON_CANDIDATES = python3.14 python3.13 python3.12 python3 \
	$(sort $(wildcard $(PYENV_ROOT)/versions/3.1[2-9]*/bin/python3))

.PHONY: fleet help run test bench bench-openstack stress screenshots clean chromium gettext messages wrk openstack openstack-venv clients-venv

help:
	@echo "make run    set up, load the demo data and serve on http://$(HOST):$(PORT)/"
	@echo "make test   set up (Chromium included) and run every test"
	@echo "make bench  every performance figure: sharing, lists at scale, Accept All, pages against a bare page"
	@echo "make bench-openstack  OpenStack mode's figures against a real Keystone and Glance 50 ms away"
	@echo "make fleet  two instances behind a proxy on port $(PORT) and two task workers, on PostgreSQL and Redis"
	@echo "make stress 500 concurrent writes and limit races against gunicorn, then check every invariant"
	@echo "make stress FLEET=1  the same against two instances and two task workers on PostgreSQL and Redis"
	@echo "make openstack  a real Keystone and Glance on loopback with the demo accounts (for OpenStack mode)"
	@echo "make messages  update the translation catalogues (locale/) from the code and compile them"

$(PY):
	@found=""; \
	for c in $(PYTHON_CANDIDATES); do \
	  if "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then found="$$c"; break; fi; \
	done; \
	if [ -z "$$found" ]; then \
	  echo "IMS Console needs Python 3.12 or newer (Django 6.1 does not run on older ones)." >&2; \
	  echo "None was found on PATH or under $(PYENV_ROOT)/versions. Install one, e.g. 'apt-get install python3.12'" >&2; \
	  echo "or 'pyenv install 3.12', and run make again." >&2; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$found ($$("$$found" --version))"; \
	"$$found" -m venv $(VENV)

$(VENV)/.installed: $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

# Browser tests drive Debian's Chromium; Playwright cannot download its own browser here. The pages in Chinese need
# a font with Chinese characters (WenQuanYi Micro Hei, 5 MB), or the browser draws boxes of another width.
chromium:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  echo "Installing Debian's chromium and a Chinese font for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	fi

# GNU gettext: Django's makemessages and msgfmt, for `make messages` and the test that the catalogues are current.
# The compiled catalogues (locale/*/LC_MESSAGES/*.mo) are committed, so `make run` needs no gettext.
gettext:
	@if ! command -v xgettext >/dev/null 2>&1 || ! command -v msgfmt >/dev/null 2>&1; then \
	  echo "Installing GNU gettext for the translation catalogues"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq gettext >/dev/null; \
	fi

# After changing a string the user sees: update locale/*/LC_MESSAGES/*.po, translate the new entries (docs/glossary.md
# has the terms), and run this again to compile them.
messages: $(VENV)/.installed gettext
	$(PY) manage.py catalogs

# Plain HTTP on this machine: no HTTPS redirect or secure-only cookies (DJANGO_HTTPS=0). DEBUG stays off, so
# errors show the console's own pages; static files come from WhiteNoise.
# The task worker (background jobs of OpenStack mode) runs beside the web server and stops with it.
run: $(VENV)/.installed
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	$(PY) manage.py db_worker --no-reload & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	DJANGO_HTTPS=0 $(PY) manage.py runserver $(HOST):$(PORT)

# PYTEST_ARGS narrows the run (CI's PostgreSQL pass: -m "not browser"); empty, it is every test.
test: $(VENV)/.installed chromium gettext openstack-venv clients-venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	IMS_CLOUD_PYTHON=$(CLOUD_VENV)/bin/python IMS_CLIENTS_BIN=$(CLIENTS_VENV)/bin $(PY) -m pytest $(PYTEST_ARGS)

# The load tool for `make bench`, from Debian's packages.
wrk:
	@if ! command -v wrk >/dev/null 2>&1; then \
	  echo "Installing Debian's wrk for the page benchmark"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; \
	fi

# Every performance figure in one run (see the README's Benchmark section), on a scratch SQLite database, or on
# DATABASE_URL if set (e.g. a scratch PostgreSQL database: it gets the demo data and some 330,000 bench rows).
bench: $(VENV)/.installed wrk openstack-venv clients-venv
	@scratch=$$(mktemp -d); export DATABASE_URL=$${DATABASE_URL:-sqlite:///$$scratch/bench.sqlite3} DJANGO_HTTPS=0; \
	$(PY) manage.py migrate --no-input -v 0 && $(PY) manage.py seed_demo >/dev/null && \
	$(PY) manage.py bench --cloud-python $(CLOUD_VENV)/bin/python --clients-python $(CLIENTS_VENV)/bin/python $(BENCH_ARGS); \
	status=$$?; rm -rf "$$scratch"; exit $$status

# OpenStack mode's figures against a real Keystone and Glance started for the run (a list page against Glance
# alone; 1,000 pairs through the console against direct calls), on a scratch SQLite database.
bench-openstack: $(VENV)/.installed openstack-venv
	@scratch=$$(mktemp -d); export DATABASE_URL=sqlite:///$$scratch/bench.sqlite3 DJANGO_HTTPS=0; \
	$(PY) manage.py migrate --no-input -v 0 && $(PY) manage.py bench_openstack --cloud-python $(CLOUD_VENV)/bin/python $(BENCH_ARGS); \
	status=$$?; rm -rf "$$scratch"; exit $$status

# Load test against gunicorn (4 workers) on loopback: 500 mixed writes at concurrency 8 and the recipient-limit
# races, then every invariant checked. A scratch SQLite database, or DATABASE_URL (e.g. a scratch PostgreSQL one).
# FLEET=1: the same against two instances and two task workers on PostgreSQL and Redis (STRESS_DATABASE_URL, made if
# missing and kept; STRESS_REDIS_URL), with shares ending meanwhile for the task workers to end.
STRESS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ims_stress
STRESS_REDIS_URL ?= redis://127.0.0.1:6379/2
stress: $(VENV)/.installed
ifdef FLEET
	DATABASE_URL=$(STRESS_DATABASE_URL) REDIS_URL=$(STRESS_REDIS_URL) DJANGO_HTTPS=0 \
	$(PY) manage.py stress --fleet $(STRESS_ARGS)
else
	@scratch=$$(mktemp -d); export DATABASE_URL=$${DATABASE_URL:-sqlite:///$$scratch/stress.sqlite3}; \
	$(PY) manage.py migrate --no-input -v 0 && $(PY) manage.py seed_demo >/dev/null && $(PY) manage.py stress $(STRESS_ARGS); \
	status=$$?; rm -rf "$$scratch"; exit $$status
endif

# The console as a fleet on loopback, to try it: two instances (gunicorn) behind a round-robin proxy on PORT and
# two task workers, on one PostgreSQL database and one Redis (the machine's, or FLEET_DATABASE_URL and
# FLEET_REDIS_URL); the database is created if missing. Ctrl-C stops it; FLEET_ARGS="--seconds 10" stops by itself.
FLEET_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ims_fleet
FLEET_REDIS_URL ?= redis://127.0.0.1:6379/1
fleet: $(VENV)/.installed
	DATABASE_URL=$(FLEET_DATABASE_URL) REDIS_URL=$(FLEET_REDIS_URL) DJANGO_HTTPS=0 \
	$(PY) manage.py fleet --port $(PORT) $(FLEET_ARGS)

# Regenerates docs/*.png, the README's screenshots, from the browser tests.
screenshots: $(VENV)/.installed chromium
	IMS_SCREENSHOTS=docs $(PY) -m pytest tests/browser -k screenshot

clean:
	rm -rf $(VENV) *.egg-info

# OpenStack mode's real Keystone and Glance (tools/local_cloud/cloud.py) live in a virtualenv of their own, cached
# outside the checkout per content of their requirements, so that test runs and fresh clones on this machine share it.
CLOUD_REQUIREMENTS := tools/local_cloud/requirements.txt
CLOUD_VENV ?= $(HOME)/.cache/ims-console/openstack-$(shell sha1sum $(CLOUD_REQUIREMENTS) | cut -c1-12)
# Keystone 30 and Glance 33 were checked with Python 3.11.
CLOUD_PYTHON_CANDIDATES = python3.11 $(sort $(wildcard $(PYENV_ROOT)/versions/3.11*/bin/python3)) python3.12 \
	$(sort $(wildcard $(PYENV_ROOT)/versions/3.12*/bin/python3))

openstack-venv: $(CLOUD_VENV)/.installed

# No prerequisite: the path holds the requirements' hash, so a fresh clone (new file times) reuses the cache.
$(CLOUD_VENV)/.installed:
	@found=""; \
	for c in $(CLOUD_PYTHON_CANDIDATES); do \
	  if "$$c" -c 'import sys; sys.exit(sys.version_info[:2] not in ((3, 11), (3, 12)))' >/dev/null 2>&1; then found="$$c"; break; fi; \
	done; \
	if [ -z "$$found" ]; then echo "The test cloud (Keystone, Glance) needs Python 3.11 or 3.12; install one (pyenv install 3.11)." >&2; exit 1; fi; \
	echo "Creating the test cloud's virtualenv $(CLOUD_VENV) with $$found"; \
	rm -rf "$(CLOUD_VENV)" && "$$found" -m venv "$(CLOUD_VENV)" && \
	"$(CLOUD_VENV)/bin/pip" install --quiet -r $(CLOUD_REQUIREMENTS) && touch $@

# The official API clients (openstacksdk, the openstack CLI) that the API tests run, cached the same way.
CLIENTS_REQUIREMENTS := tools/clients/requirements.txt
CLIENTS_VENV ?= $(HOME)/.cache/ims-console/clients-$(shell sha1sum $(CLIENTS_REQUIREMENTS) | cut -c1-12)

clients-venv: $(CLIENTS_VENV)/.installed

$(CLIENTS_VENV)/.installed:
	@found=""; \
	for c in $(CLOUD_PYTHON_CANDIDATES); do \
	  if "$$c" -c 'import sys; sys.exit(sys.version_info[:2] not in ((3, 11), (3, 12)))' >/dev/null 2>&1; then found="$$c"; break; fi; \
	done; \
	if [ -z "$$found" ]; then echo "The API clients need Python 3.11 or 3.12; install one (pyenv install 3.11)." >&2; exit 1; fi; \
	echo "Creating the API clients' virtualenv $(CLIENTS_VENV) with $$found"; \
	rm -rf "$(CLIENTS_VENV)" && "$$found" -m venv "$(CLIENTS_VENV)" && \
	"$(CLIENTS_VENV)/bin/pip" install --quiet -r $(CLIENTS_REQUIREMENTS) && touch $@

# Keystone on :5000 and Glance on :9292 with the demo accounts; state in .local-cloud/ (delete it to start over).
KEYSTONE_PORT ?= 5000
GLANCE_PORT ?= 9292
LOCAL_CLOUD ?= .local-cloud
openstack: openstack-venv
	@echo "Starting Keystone and Glance; then, in another shell:"
	@echo "  IMS_BACKEND=openstack OS_AUTH_URL=http://127.0.0.1:$(KEYSTONE_PORT)/v3 make run"
	@echo "or, with names beside project IDs and the existence check of recipients' projects:"
	@echo "  IMS_BACKEND=openstack OS_AUTH_URL=http://127.0.0.1:$(KEYSTONE_PORT)/v3 IMS_OS_LOOKUP_USER=ims-lookup IMS_OS_LOOKUP_PASSWORD=local-cloud-lookup make run"
	$(CLOUD_VENV)/bin/python tools/local_cloud/cloud.py $(LOCAL_CLOUD) --demo --keystone-port $(KEYSTONE_PORT) --glance-port $(GLANCE_PORT)
