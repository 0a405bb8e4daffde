# One command path for people and CI: `make test` is what .ci/run runs.
# `make check` is the quick loop: lint, format check, types and the unit tests
# (no chromium, no PostgreSQL, no server processes).
.PHONY: test install-test-deps run-tests check lint types unit demo

test: install-test-deps run-tests

install-test-deps:
	bash scripts/install-test-deps.sh

# Two workers or more (one per CPU), a test file per worker at a time (module fixtures such as
# the browser and the server processes stay in one process), files in collection order so that
# the long fuzz files of tests/api_fuzz start first (xdist otherwise sends the files with the most
# tests first and the one-test fuzz files last); the 30 slowest tests are listed.
run-tests:
	python3 -m pytest -q -n auto --dist loadfile --no-loadscope-reorder --durations=30

check: lint types unit

lint:
	python3 -m ruff check src tests benchmarks tools
	python3 -m ruff format --check src tests benchmarks tools

types:
	python3 -m mypy --no-error-summary

unit:
	python3 -m pytest -q -m "unit" -p no:cacheprovider -n auto

demo:
	python3 -m pip install -q . && gpuatlas compare a100-80gb-sxm rtx-4090
