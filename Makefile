# Two commands do all set-up:  `make demo` runs the main job, `make test` runs the tests.
# Both create the virtual environment (.venv, Python from .python-version) on first use.
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
export NUMBA_CACHE_DIR := $(CURDIR)/.numba_cache

.PHONY: demo test system-deps lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/synclusive compare kokkola_engine --replications 6 --workers 2 --out outputs/demo

# The SLURM and browser tests use the real programs (Debian's slurm-wlm, munge, chromium).
# As root on a Debian machine they are installed here; elsewhere those tests are skipped
# with the reason shown.
system-deps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		bash .ci/install-slurm.sh && sh .ci/install-browser.sh; \
	else \
		echo "note: not root on Debian; SLURM and browser tests will be skipped unless installed"; \
	fi

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(VENV)/.installed system-deps lint
	$(BIN)/python -m simulator.warmup
	$(BIN)/python -m pytest -n 2 --dist loadgroup

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_model.py

clean:
	rm -rf outputs .numba_cache .pytest_cache
