"""A Bot API that does not answer never holds a web worker: the replies go back in the
webhook's answer (one sendMessage the Bot API runs), not through a call we wait on."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from telegram_standin import TOKEN


def test_a_hung_bot_api_holds_no_worker(gunicorn, standin):
    standin.stall = 30.0  # every Bot API call hangs for 30 s
    secret = "hung-bot-api-secret"
    server = gunicorn(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=standin.base_url,
                      TELEGRAM_WEBHOOK_SECRET=secret)
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
    chats = [880000 + n for n in range(8)]

    def webhook(chat: int) -> tuple[int, float, dict]:
        started = time.monotonic()
        with httpx.Client(timeout=20) as http:
            response = http.post(server.url + "/telegram", headers=headers,
                                 json=standin.make_update(chat, "/start"))
        return response.status_code, time.monotonic() - started, json.loads(response.text)

    with ThreadPoolExecutor(8) as pool:
        calls = [pool.submit(webhook, chat) for chat in chats]
        time.sleep(0.2)
        started = time.monotonic()
        health = httpx.get(server.url + "/healthz", timeout=20)
        health_took = time.monotonic() - started
        results = [call.result() for call in calls]
    print(f"\nhung Bot API: 8 webhooks at once, slowest answered in "
          f"{max(took for _, took, _ in results):.2f} s; /healthz meanwhile {health_took:.2f} s")
    assert health.status_code == 200 and health_took < 2.0
    for chat, (status, took, body) in zip(chats, results, strict=True):
        assert status == 200 and took < 5.0  # before: 15-30 s each
        assert body["method"] == "sendMessage" and body["chat_id"] == chat
        assert "Clearline" in body["text"] and body["reply_markup"]["keyboard"]
    assert "sendMessage" not in standin.calls  # nothing was waited on
