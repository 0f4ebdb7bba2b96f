# evroam: `make demo` and `make test` are all a fresh machine needs (Python 3.11+).
VENV      ?= .venv
PYTHON    ?= python3
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed-stamp
PG_URL    ?= postgresql://postgres@127.0.0.1:5432/test
PYTEST    ?= $(PY) -m pytest -p no:cacheprovider -n 2 --dist load

.PHONY: install demo test test-sqlite test-postgres lint bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## The main job: two platforms on loopback play the roaming story.
demo: $(STAMP)
	$(VENV)/bin/evroam demo

## The full suite, on SQLite and then on PostgreSQL ($(PG_URL)).
test: test-sqlite test-postgres

test-sqlite: $(STAMP)
	$(PYTEST)

test-postgres: $(STAMP)
	@if $(PY) .ci/pg_ready.py "$(PG_URL)"; then \
		EVROAM_TEST_DATABASE_URL="$(PG_URL)" $(PYTEST); \
	elif [ "$$CI" = "true" ]; then \
		echo "error: PostgreSQL is unreachable at $(PG_URL); CI requires the PostgreSQL run." >&2; \
		echo "Start it (pg_ctlcluster … main start) or set PG_URL, then run again." >&2; exit 1; \
	else \
		echo "WARNING: PostgreSQL unreachable at $(PG_URL): the PostgreSQL run was NOT done." >&2; \
		echo "Set PG_URL=postgresql://user@host:port/db to run it." >&2; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache demo-run
