"""Settings from the environment, and the JSON log lines."""

from __future__ import annotations

import ast
import io
import json
import logging
import re
from pathlib import Path

import pytest

from bot import config, logs
from bot.store import SessionStore


def test_defaults_environment_and_overrides(tmp_path):
    env = {"SESSION_TTL_DAYS": "7", "PUBLIC_URL": "https://x.example/", "SECRET_KEY": "s",
           "RATE_LIMIT_PER_MINUTE": " 5 "}
    conf = config.load({"RATE_LIMIT_PER_MINUTE": 9, "TESTING": True}, env=env)
    assert conf["SESSION_TTL_DAYS"] == 7 and conf["RATE_LIMIT_PER_MINUTE"] == 9
    assert conf["PUBLIC_URL"] == "https://x.example" and conf["TESTING"] is True
    assert conf["TELEGRAM_API_BASE_URL"] == "https://api.telegram.org/bot"
    assert conf["OPTOUT_TTL_DAYS"] == 365 and conf["MAX_CONTENT_LENGTH"] == 65536


def test_bad_values_are_named(tmp_path):
    with pytest.raises(config.ConfigError, match="SESSION_TTL_DAYS"):
        config.load(env={"SESSION_TTL_DAYS": "thirty", "SECRET_KEY": "s"})
    with pytest.raises(config.ConfigError, match="SESSION_TTL_DAYS"):
        config.load(env={"SESSION_TTL_DAYS": "0", "SECRET_KEY": "s"})
    from bot.app import create_app

    with pytest.raises(config.ConfigError, match="REDIS_URL"):
        create_app({"REDIS_URL": "localhost:6379", "SECRET_KEY": "s"})


def test_generated_secret_is_kept_and_shared(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home-config"))
    first = config.load(env={"DATA_DIR": str(tmp_path / "var")})["SECRET_KEY"]
    again = config.load(env={"DATA_DIR": str(tmp_path / "var")})["SECRET_KEY"]
    assert first == again and len(first) == 64
    kept = tmp_path / "home-config" / "clearline" / "secret_key"
    assert kept.read_text().strip() == first
    assert kept.stat().st_mode & 0o777 == 0o600
    assert kept.parent.stat().st_mode & 0o777 == 0o700
    # never beside the data (before: var/secret_key, next to var/redis/clearline.rdb)
    assert not (tmp_path / "var" / "secret_key").exists()


def test_a_key_left_beside_the_data_moves_to_the_config_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home-config"))
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "secret_key").write_text("old-key-in-use\n")
    assert config.load(env={"DATA_DIR": str(tmp_path / "var")})["SECRET_KEY"] == (
        "old-key-in-use")  # the sessions it keyed are not lost
    assert not (tmp_path / "var" / "secret_key").exists()
    assert (tmp_path / "home-config" / "clearline" / "secret_key").stat().st_mode & 0o777 == (
        0o600)


def test_rate_limit_zero_turns_it_off(redis_server, redis_url):
    from bot.conversation import handle_message
    from bot.store import SessionStore

    store = SessionStore(redis_server.client(), secret_key="k", rate_limit=0)
    results = [handle_message(store, channel="web", sender="w", text="Hi") for _ in range(30)]
    assert {r.status for r in results} == {"ok"}


def test_log_lines_are_json_and_scrubbed():
    stream = io.StringIO()
    logs.setup("INFO", stream)
    try:
        log = logging.getLogger("clearline.test")
        logs.event(log, "message", channel="sms", status="ok")
        log.warning("failed for +1 (415) 555-0142 and chat 987654321")
        try:
            raise ValueError("bad sender +14155550142")
        except ValueError:
            log.exception("boom")
        logging.getLogger("httpx").info("POST https://api.telegram.org/bot123:ABC/getMe")
    finally:
        logging.getLogger().handlers = [h for h in logging.getLogger().handlers
                                        if not isinstance(h.formatter, logs.JsonFormatter)]
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines[0]["event"] == "message" and lines[0]["channel"] == "sms"
    text = stream.getvalue()
    assert "555" not in text and "987654321" not in text and "ABC" not in text
    assert lines[2]["error"] == "ValueError" and len(lines) == 3  # httpx kept quiet


ROOT = Path(__file__).resolve().parents[2]
SETTING = re.compile(r"`([A-Z][A-Z0-9_]+)`")


def readme_settings() -> set[str]:
    """Every variable named in the first column of the README's settings tables (those
    headed ``| Variable | Default | What it does |``)."""
    names: set[str] = set()
    in_table = False
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| Variable | Default |"):
            in_table = True
        elif not line.startswith("|"):
            in_table = False
        elif in_table:
            names.update(SETTING.findall(line.split("|")[1]))
    return names


def test_every_setting_is_in_defaults_and_in_the_readme():
    documented = readme_settings()
    assert set(config.DEFAULTS) - documented == set(), "settings the README does not list"
    assert documented - set(config.DEFAULTS) == set(), "README settings config.py lacks"


def test_settings_the_pages_and_serve_use_come_from_the_environment(tmp_path):
    env = {"SECRET_KEY": "s", "REDIS_URL": "redis://127.0.0.1:1/0", "STATS_TTL_DAYS": "10",
           "ADMIN_TOKEN": "t", "PORT": "5001", "WEB_CONCURRENCY": "3"}
    conf = config.load(env=env)
    assert (conf["ADMIN_TOKEN"], conf["PORT"], conf["WEB_CONCURRENCY"]) == ("t", 5001, 3)
    assert conf["HOST"] == "127.0.0.1" and conf["GUNICORN_THREADS"] == 4
    assert SessionStore.from_config(conf).stats_ttl == 10 * 86400  # the stats keys' TTL


ENVIRONMENT = ("environ", "environb", "getenv", "getenvb", "putenv", "unsetenv")


def _environment_reads(tree: ast.AST) -> list[int]:
    """Lines of ``tree`` that touch the process environment (``os.environ``, ``getenv``)."""
    lines = []
    for node in ast.walk(tree):
        names = [node.attr] if isinstance(node, ast.Attribute) else []
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            names = [alias.name for alias in node.names]
        if any(name in ENVIRONMENT for name in names):
            lines.append(node.lineno)
    return lines


def test_only_bot_config_reads_the_environment():
    found = []
    for folder in ("bot", "dialogs", "rules"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "bot" / "config.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found += [f"{path.relative_to(ROOT)}:{line}" for line in _environment_reads(tree)]
    assert found == [], f"read settings through bot.config, not the environment: {found}"
