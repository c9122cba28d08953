# marketreg — two commands: `make run` (set up and serve) and `make test` (the whole suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
ENTITIES ?= 20000
export MARKETREG_TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test install lint bench clean

$(BIN)/marketreg: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/marketreg

run: install
	$(BIN)/marketreg migrate
	$(BIN)/marketreg seed --entities $(ENTITIES)
	@echo "公共服务门户  http://127.0.0.1:8000/"
	@echo "业务协同门户  http://127.0.0.1:8000/staff/"
	@echo "API 文档      http://127.0.0.1:8000/api/v1/docs"
	$(BIN)/marketreg serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

test: install
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/pytest -p no:cacheprovider -n 2

bench: install
	$(BIN)/python bench/import_entities.py --rows 1000000 --db sqlite
	$(BIN)/python bench/public_lookup.py

clean:
	rm -rf var .pytest_cache
