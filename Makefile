# policekg: two commands do everything on a fresh machine with Python 3.11+ and make.
#   make demo   set up .venv, ingest the bundled examples, export, render, print a summary
#   make test   install the test extras and run the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STORE  := output/store

.PHONY: demo test install clean benchmark benchmark-serve serve

$(BIN)/kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

install: $(BIN)/kg

demo: install
	$(BIN)/kg ingest examples --store $(STORE)
	$(BIN)/kg export --store $(STORE) -o output/kg.trig
	$(BIN)/kg render --store $(STORE) -o output/graph.html
	@echo
	$(BIN)/kg stats --store $(STORE)
	@echo
	$(BIN)/kg query forces-together --store $(STORE)
	@echo
	$(BIN)/kg query operations-by-force --store $(STORE)

test: install
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pytest

SIZES ?= 1000 10000
benchmark: install
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python benchmarks/throughput.py
	$(BIN)/python benchmarks/scale.py --sizes $(SIZES)

benchmark-serve: install
	$(BIN)/python benchmarks/serve_load.py --duration 20 --clients 8

serve: install
	$(BIN)/kg serve --store $(STORE)

clean:
	rm -rf $(VENV) output/store output/kg.trig output/graph.html
