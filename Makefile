# The two commands of the README: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
export WAISHI_VAR_DIR ?= $(CURDIR)/var

.PHONY: demo test test-random test-pg test-mariadb test-deploy e2e lint format messages check-messages deploy-check api-fuzz bench load clean venv

venv: $(STAMP)

# The lock files pin every package with its hashes (pip-compile, see README).
$(STAMP): requirements-dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --progress-bar on --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Compiled catalogues are built, not committed (pure Python: no gettext needed).
compile-messages: $(STAMP)
	$(BIN)/waishi compilemessages_py

demo: $(STAMP) compile-messages
	WAISHI_MODE=demo $(BIN)/waishi migrate --noinput
	WAISHI_MODE=demo $(BIN)/waishi seed_demo
	WAISHI_MODE=demo $(BIN)/waishi collectstatic --noinput -v 0
	WAISHI_MODE=demo $(BIN)/waishi serve --port $(PORT)

test: $(STAMP) compile-messages
	$(BIN)/pytest -m "not e2e and not deploy and not schemathesis" -q

# The same suite in a random order (the seed is printed): tests must not lean on each other.
test-random: $(STAMP) compile-messages
	$(BIN)/pytest -m "not e2e and not deploy and not schemathesis" -q -p randomly -o addopts="--strict-markers"

e2e: $(STAMP) compile-messages
	$(BIN)/pytest -m e2e -q

test-pg: $(STAMP) compile-messages
	WAISHI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/waishi $(BIN)/pytest -m "not e2e and not deploy and not schemathesis" -q

test-mariadb: $(STAMP) compile-messages
	WAISHI_DATABASE_URL=mysql://root@127.0.0.1:3306/waishi $(BIN)/pytest -m "not e2e and not deploy and not schemathesis" -q

# Two app instances and two huey consumers on loopback sharing PostgreSQL and Redis
# (127.0.0.1:5432 and :6379): sessions, data and cache shared, a periodic job run once,
# approvals through killed workers and ended connections (docs/deploy.md).
test-deploy: $(STAMP) compile-messages
	$(BIN)/pytest -m deploy -q -s tests/deploy

# schemathesis against /api/schema/ on a demo server on loopback, as the FAO's reviewer and
# a unit clerk: no server error, every answer in the schema (tests/api/test_schemathesis.py).
api-fuzz: $(STAMP) compile-messages
	$(BIN)/pytest -m schemathesis -q -s tests/api/test_schemathesis.py

# Benchmarks: the policy figures go to docs/performance.md by hand, the import bench writes its own section.
bench: $(STAMP) compile-messages
	$(BIN)/python bench/policy_bench.py
	$(BIN)/python bench/arrivals_import_bench.py
	$(BIN)/python bench/pages_bench.py
	$(BIN)/python bench/tasks_bench.py

# Load test: two app instances and 200 simulated users on PostgreSQL (waishi_load) and Redis
# (db 10), locust for 2 minutes; writes its own section of docs/performance.md.
load: $(STAMP) compile-messages
	$(BIN)/python bench/load_bench.py

# ruff, then the import contracts of pyproject.toml (the floors, no cycle between apps;
# docs/architecture.md).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-extract the strings (needs GNU gettext) and fail when any is untranslated.
messages: $(STAMP)
	cd waishi && ../$(BIN)/waishi makemessages -l zh_Hans --no-obsolete --no-location

check-messages: messages
	$(BIN)/waishi check_translations

deploy-check: $(STAMP)
	WAISHI_MODE=production WAISHI_ALLOWED_HOSTS=waishi.example.gov.cn \
	WAISHI_SECRET_KEY=$$($(BIN)/python -c 'import secrets;print(secrets.token_urlsafe(60))') \
	WAISHI_FIELD_KEYS=k1:$$($(BIN)/python -c 'import secrets;print(secrets.token_hex(16))') \
	WAISHI_BLIND_INDEX_KEY=$$($(BIN)/python -c 'import secrets;print(secrets.token_hex(32))') \
	WAISHI_AUDIT_KEY=$$($(BIN)/python -c 'import secrets;print(secrets.token_hex(32))') \
	$(BIN)/waishi check --deploy --fail-level WARNING

lock:
	$(BIN)/pip-compile -q --strip-extras --generate-hashes --no-emit-index-url --no-emit-find-links --allow-unsafe -o requirements.lock pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --generate-hashes --no-emit-index-url --no-emit-find-links --allow-unsafe --extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
