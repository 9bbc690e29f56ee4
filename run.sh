#!/usr/bin/env sh
# Install Clearline into .venv and run the bot: web chat, SMS webhook, and Telegram when a token is set.
set -eu
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e .
exec .venv/bin/clearline serve "$@"
