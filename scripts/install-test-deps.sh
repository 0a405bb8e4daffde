#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine:
# Debian's chromium (for the browser tests), then the package with its `test` extra.
# PostgreSQL 15 server binaries are expected at /usr/lib/postgresql/15/bin (the tests start their own).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing Debian's chromium (browser tests)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  echo "== installing PostgreSQL 15 server binaries (store tests)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi

echo "== installing gpuatlas with its test dependencies (llama-cpp-python compiles once, a few minutes)"
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF}"
python3 -m pip install --disable-pip-version-check -q -e '.[test]'
