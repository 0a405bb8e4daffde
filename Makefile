# One command path for people and CI: `make test` is what .ci/run runs.
.PHONY: test install-test-deps run-tests demo

test: install-test-deps run-tests

install-test-deps:
	bash scripts/install-test-deps.sh

run-tests:
	python3 -m pytest -q

demo:
	python3 -m pip install -q . && gpuatlas compare a100-80gb-sxm rtx-4090
