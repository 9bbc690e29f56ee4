#!/usr/bin/env sh
# Install everything the tests need into .venv, then run the whole test suite.
# Extra arguments go to pytest, e.g. ./test.sh tests/rules -q
set -eu
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
# constraints.txt pins the versions the suite last passed with (see pyproject.toml).
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
# Browser tests use the system's Chromium; install it when we can (root with apt-get).
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium and redis-server for the browser and load tests..."
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium redis-server >/dev/null || echo "(could not install chromium; browser tests will be skipped)"
fi
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
