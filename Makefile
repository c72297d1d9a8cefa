# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test test-sqlite test-postgresql env bootstrap bench clean

env: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	@$(BIN)/pip install -q --no-deps -e . > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	@rm -f $(VENV)/.installed-* && touch $@

## Run every service and the gateway (SQLite files under var/, local RabbitMQ) on :8000
run: $(STAMP)
	@$(BIN)/carnet run

## The whole test suite, on SQLite and on PostgreSQL
test: $(STAMP)
	@$(BIN)/python -m tests.run

test-sqlite: $(STAMP)
	@CARNET_TEST_DATABASES=sqlite $(BIN)/python -m tests.run

test-postgresql: $(STAMP)
	@CARNET_TEST_DATABASES=postgresql $(BIN)/python -m tests.run

## Benchmarks (by hand; they print ratios against a baseline measured in the same run)
bench: $(STAMP)
	@$(BIN)/python -m bench.rpc_roundtrip

clean:
	rm -rf var/*.db var/*.db-* var/*.lock var/prometheus
