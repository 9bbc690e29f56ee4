#!/usr/bin/env sh
# Install Clearline into .venv and run the bot: web chat, SMS webhook, and Telegram when a token is set.
set -eu
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
# Installing also compiles the dialog engine and the rules (setup.py): again only when
# a source, the dependencies or setup.py changed since the last install.
STAMP=.venv/.installed-run
if [ ! -f "$STAMP" ] || [ -n "$(find pyproject.toml constraints.txt setup.py rules dialogs \
    -newer "$STAMP" \( -name '*.py' -o -name '*.toml' -o -name '*.txt' \) | head -n 1)" ]; then
  echo "Installing (and compiling the dialog engine; about two minutes the first time)..."
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt \
    --config-settings editable_mode=compat -e .
  touch "$STAMP"
fi
exec .venv/bin/clearline serve "$@"
