"""Settings from the environment, and the JSON log lines."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot import config, logs


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
