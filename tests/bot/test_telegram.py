"""Telegram end to end: python-telegram-bot's own classes against a local Bot API stand-in.

Webhook mode posts updates to the app's ``POST /telegram``; polling mode runs the real
``clearline telegram`` worker in a subprocess that long-polls the stand-in.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dialog_script
from telegram_standin import TOKEN, WEBHOOK_SECRET

CHAT = 987654321
ROOT = Path(__file__).resolve().parents[2]


def post(standin, client, update, secret=WEBHOOK_SECRET):
    """Post an update as Telegram does; the stand-in runs the method the answer carries."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    response = client.post("/telegram", json=update, headers=headers)
    if response.status_code == 200:
        standin.execute(response.get_data())
    return response


def keyboard_labels(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [button["text"] for row in markup.get("keyboard", []) for button in row]


def test_webhook_full_conversation_with_keyboard_and_deep_link(telegram_app, standin):
    client = telegram_app.test_client()
    store = telegram_app.extensions["clearline"].store
    response = post(standin, client, standin.make_update(CHAT, "/start CLINIC42"))
    assert response.status_code == 200
    sent = standin.sent_to(CHAT)
    assert len(sent) == 1 and "Clearline" in sent[0]["text"]  # the replies in one message
    assert "California" in " ".join(keyboard_labels(sent[-1]))  # choices as buttons
    state = store.peek("telegram", str(CHAT))
    assert state["ref"] == "CLINIC42"

    def send(text):
        before = len(standin.sent_to(CHAT))
        labels = keyboard_labels(standin.sent_to(CHAT)[-1])
        if text.isdigit() and int(text) <= len(labels):  # press the button, as a person would
            text = labels[int(text) - 1]
        assert post(standin, client, standin.make_update(CHAT, text)).status_code == 200
        assert len(standin.sent_to(CHAT)) > before

    asked = dialog_script.run_to_verdict(send, lambda: store.peek("telegram", str(CHAT))["node"])
    assert "offense" in asked
    last = standin.sent_to(CHAT)[-1]
    assert keyboard_labels(last)  # "check another?" as buttons


def test_a_spanish_language_code_starts_in_spanish(telegram_app, standin):
    client = telegram_app.test_client()
    chat = 987650001
    update = standin.make_update(chat, "/start", language_code="es-MX")
    assert post(standin, client, update).status_code == 200
    sent = standin.sent_to(chat)
    assert "¿Dónde fue el caso?" in sent[-1]["text"]
    other = 987650002
    assert post(standin, client, standin.make_update(other, "/start", language_code="en")
                ).status_code == 200
    assert "Where was the case?" in standin.sent_to(other)[-1]["text"]


def test_webhook_same_update_id_processed_once(telegram_app, standin):
    client = telegram_app.test_client()
    store = telegram_app.extensions["clearline"].store
    post(standin, client, standin.make_update(CHAT, "/start"))
    update = standin.make_update(CHAT, "Fresno")
    assert post(standin, client, update).status_code == 200
    count = len(standin.sent_to(CHAT))
    state = store.peek("telegram", str(CHAT))
    # Telegram redelivers only when our answer did not reach it: the same reply again,
    # and the conversation does not move
    assert post(standin, client, update).status_code == 200
    assert len(standin.sent_to(CHAT)) == count + 1
    assert standin.sent_to(CHAT)[-1]["text"] == standin.sent_to(CHAT)[-2]["text"]
    assert store.peek("telegram", str(CHAT)) == state


def test_webhook_refuses_a_wrong_or_missing_secret(telegram_app, standin):
    client = telegram_app.test_client()
    update = standin.make_update(CHAT, "/start")
    assert post(standin, client, update, secret="wrong").status_code == 403
    assert post(standin, client, update, secret=None).status_code == 403
    assert post(standin, client, update, secret="").status_code == 403
    assert standin.sent == []
    assert telegram_app.extensions["clearline"].store.peek("telegram", str(CHAT)) is None


def test_webhook_off_without_secret_or_token(make_app, standin):
    no_secret = make_app(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=standin.base_url,
                         TELEGRAM_WEBHOOK_SECRET="")
    update = standin.make_update(CHAT, "/start")
    assert post(standin, no_secret.test_client(), update, secret="").status_code == 403
    off = make_app()
    assert post(standin, off.test_client(), update).status_code == 404


def test_webhook_bad_bodies_are_refused_cleanly(telegram_app, standin):
    client = telegram_app.test_client()
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    for body in [b"", b"not json", b"[]", b'{"update_id": "x"}', b"\xff\xfe", b"{" * 10]:
        response = client.post("/telegram", data=body, headers=headers,
                               content_type="application/json")
        assert response.status_code == 400, body
    big = b'{"update_id": 1, "pad": "' + b"x" * 100_000 + b'"}'
    assert client.post("/telegram", data=big, headers=headers,
                       content_type="application/json").status_code == 413
    # an update we do not handle (an edited message, a sticker) is acknowledged
    sticker = standin.make_update(CHAT, "")
    del sticker["message"]["text"]
    sticker["message"]["sticker"] = {"file_id": "x", "file_unique_id": "y", "width": 1,
                                     "height": 1, "is_animated": False, "is_video": False,
                                     "type": "regular"}
    assert post(standin, client, sticker).status_code == 200
    assert standin.sent_to(CHAT)  # answered kindly


def test_webhook_stop_and_delete_commands(telegram_app, standin):
    client = telegram_app.test_client()
    store = telegram_app.extensions["clearline"].store
    redis = store.redis
    person = store.person("telegram", str(CHAT))
    post(standin, client, standin.make_update(CHAT, "/start"))
    post(standin, client, standin.make_update(CHAT, "Fresno"))
    post(standin, client, standin.make_update(CHAT, "/delete"))
    assert store.peek("telegram", str(CHAT))["node"] == "confirm_delete"
    yes = keyboard_labels(standin.sent_to(CHAT)[-1])[0]
    post(standin, client, standin.make_update(CHAT, yes))
    assert redis.keys(f"clearline:{{{person.digest}}}:*") == []
    post(standin, client, standin.make_update(CHAT, "/start"))
    post(standin, client, standin.make_update(CHAT, "/stop"))
    assert redis.exists(person.key("s")) == 0 and redis.exists(person.key("x")) == 1
    post(standin, client, standin.make_update(CHAT, "/start"))
    assert redis.exists(person.key("x")) == 0
    assert store.peek("telegram", str(CHAT))["node"] == "court"


def test_polling_worker_full_exchange(standin, redis_url, tmp_path):
    env = dict(os.environ, REDIS_URL=redis_url, SECRET_KEY="test-secret-key",
               TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=standin.base_url,
               DATA_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    worker = subprocess.Popen([sys.executable, "-m", "bot.cli", "telegram"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        standin.push(standin.make_update(CHAT, "/start PARK9"))
        first = standin.wait_sent(CHAT, 2, timeout=20)
        assert len(first) == 2 and keyboard_labels(first[-1]), worker.poll()
        update = standin.make_update(CHAT, "Fresno")
        standin.push(update)
        second = standin.wait_sent(CHAT, 3)
        assert len(second) == 3
        standin.push(update)  # the same update_id again: the same answer, no step
        standin.push(standin.make_update(CHAT, "/help"))
        after = standin.wait_sent(CHAT, 6)
        assert len(after) == 6
        assert after[3]["text"] == second[2]["text"]
        assert "DELETE" in after[4]["text"]  # the help text, naming the commands
        assert after[5]["text"] == second[2]["text"]  # then the same question again

        import redis as redis_py

        from bot.store import SessionStore

        store = SessionStore(redis_py.Redis.from_url(redis_url), secret_key="test-secret-key")

        def send(text):  # press the button (or type), wait for the bot's answer
            sent = standin.sent_to(CHAT)
            labels = keyboard_labels(sent[-1])
            if text.isdigit() and int(text) <= len(labels):
                text = labels[int(text) - 1]
            standin.push(standin.make_update(CHAT, text))
            assert len(standin.wait_sent(CHAT, len(sent) + 1)) > len(sent)
            deadline = time.monotonic() + 10  # the last reply carries the keyboard (or removes it)
            while "reply_markup" not in standin.sent_to(CHAT)[-1]:
                assert time.monotonic() < deadline
                time.sleep(0.01)

        asked = dialog_script.run_to_verdict(
            send, lambda: store.peek("telegram", str(CHAT))["node"])
        assert "offense" in asked and store.peek("telegram", str(CHAT))["ref"] == "PARK9"
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=20)
    assert worker.returncode == 0, err[-2000:]
    assert "deleteWebhook" in standin.calls and "getUpdates" in standin.calls
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(line["event"] == "message" and line["channel"] == "telegram" for line in lines)
    assert str(CHAT) not in err and "Fresno" not in err and TOKEN not in err


def test_verdict_links_pages_as_https_and_why_and_result_commands_work(telegram_app, standin):
    client = telegram_app.test_client()
    for text in ("/start", "Los Angeles", "Had it to sell", "2009", "21 or older", "No, none"):
        assert post(standin, client, standin.make_update(CHAT, text)).status_code == 200
    verdict = standin.sent_to(CHAT)[-1]
    assert verdict.get("parse_mode") == "HTML"
    assert '<a href="https://lawhelpca.org/topic/immigration">' in verdict["text"]
    assert "(323) 760-6763" in verdict["text"] and "HS 11361" not in verdict["text"]
    post(standin, client, standin.make_update(CHAT, "/why"))
    assert "(HS 11361.9)" in standin.sent_to(CHAT)[-1]["text"]
    post(standin, client, standin.make_update(CHAT, "/result"))
    said = standin.sent_to(CHAT)[-1]["text"]
    assert "Your last result" in said and "(323) 760-6763" in said
