#!/usr/bin/env sh
# Install everything the tests need into .venv, then run the whole test suite.
# Extra arguments go to pytest, e.g. ./test.sh tests/rules -q
set -eu
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
# constraints.txt pins the versions the suite last passed with (see pyproject.toml).
# Installing also compiles the dialog engine and the rules (setup.py): again only when
# a source, the dependencies or setup.py changed since the last install.
STAMP=.venv/.installed-test
if [ ! -f "$STAMP" ] || [ -n "$(find pyproject.toml constraints.txt setup.py rules dialogs \
    -newer "$STAMP" \( -name '*.py' -o -name '*.toml' -o -name '*.txt' \) | head -n 1)" ]; then
  echo "Installing (and compiling the dialog engine; about two minutes the first time)..."
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt \
    --config-settings editable_mode=compat -e '.[test]'
  touch "$STAMP"
fi
# Browser tests use the system's Chromium; install it when we can (root with apt-get).
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium and redis-server for the browser and load tests..."
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium redis-server >/dev/null || echo "(could not install chromium; browser tests will be skipped)"
fi
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
