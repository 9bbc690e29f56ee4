"""Redis killed (SIGKILL) in the middle of a load and started again: gunicorn keeps
answering with valid TwiML, kindly, never a 500; nothing answered as done is lost, nothing
half-written; every conversation carries on from where it was."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict

import httpx
import twilio_client

import dialogs
from bot.wording import notice

UNAVAILABLE = notice("unavailable")["text"]
ERROR = notice("error")["text"]
TEXTS = ["Hi", "Fresno", "Had it", "2010", "Misdemeanor", "No", "21 or older", "No", "REPEAT",
         "BACK"]
# (no "ok" after the goodbye: the second one gets no reply at all, by design, each SMS being paid)


def unavailable(messages: list[str] | None) -> bool:
    """The short "try again in a few minutes" notice (in English, maybe Spanish too)."""
    return bool(messages) and len(messages) == 1 and UNAVAILABLE in messages[0]


def post(http, url, sender, body):
    form = twilio_client.params(sender, body, twilio_client.new_sid())
    headers = {"X-Twilio-Signature": twilio_client.sign(twilio_client.PUBLIC_URL + "/sms", form)}
    response = http.post(url + "/sms", data=form, headers=headers)
    found = twilio_client.messages(response.text) if response.status_code == 200 else None
    return response.status_code, found


def test_redis_killed_mid_load_and_restarted(gunicorn, durable_redis, session_store):
    server = gunicorn(RATE_LIMIT_PER_MINUTE=10_000)
    phones = [f"+1213555{n:04d}" for n in range(100, 116)]
    seen: dict[str, list[tuple[float, int, list[str] | None]]] = defaultdict(list)  # sent at
    stop = threading.Event()
    t0 = time.monotonic()

    def person(phone: str) -> None:
        with httpx.Client(timeout=30) as http:
            i = 0
            while not stop.is_set():
                sent = time.monotonic() - t0
                status, messages = post(http, server.url, phone, TEXTS[i % len(TEXTS)])
                seen[phone].append((sent, status, messages))
                if messages is not None and not unavailable(messages):
                    i += 1  # answered (an empty TwiML too: the bot chose to say nothing, as
                    # to a third "ok" after goodbye): the next; else again, as a person would
                time.sleep(0.03)

    threads = [threading.Thread(target=person, args=(p,)) for p in phones]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    durable_redis.kill()
    killed = time.monotonic() - t0
    with httpx.Client(timeout=10) as http:
        assert http.get(server.url + "/healthz").status_code == 503
    time.sleep(1.0)
    restarting = time.monotonic() - t0
    durable_redis.start()  # the same socket; data from the append-only file
    restarted = time.monotonic() - t0
    time.sleep(1.5)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    replies = [r for rows in seen.values() for r in rows]
    assert len(replies) > 100
    assert {status for _, status, _ in replies} == {200}  # never a 500, never a refusal
    assert all(messages is not None for _, _, messages in replies)  # valid TwiML every time
    assert not any(ERROR in " ".join(messages) for _, _, messages in replies)
    # sent well inside the outage (a request queued in gunicorn near the end of it may be
    # served by the restarted Redis, and rightly so)
    during = [m for t, _, m in replies if killed + 0.1 < t < restarting - 0.4]
    odd = [m for m in during if not unavailable(m)]
    assert during and not odd, odd[:3]  # kind, short, while down
    log = server.log_text()
    assert "Traceback" not in log and '"level": "error"' not in log
    redis = durable_redis.client()
    for phone in phones:
        rows = seen[phone]
        done = sum(1 for _, _, m in rows if m is not None and not unavailable(m))
        maybe = sum(1 for _, _, m in rows if unavailable(m))
        raw = redis.hgetall(session_store.person("sms", phone).key("s"))
        count = int(raw[b"n"])
        # every message answered as done is kept across the kill; one answered "try again"
        # was applied only if Redis wrote it just as it died (its reply never came back)
        assert done <= count <= done + min(maybe, 1), (phone, done, count, maybe)
        assert dialogs.is_valid(json.loads(raw[b"st"]))
        after = [m for t, _, m in rows if t > restarted + 0.5]
        assert after and all(m is not None and not unavailable(m) for m in after)  # carried on
    # what Redis holds afterwards: a TTL on every key, no phone number in any key name
    digits = [p[1:] for p in phones] + [p[-7:] for p in phones]
    for key in redis.scan_iter(count=1000):
        assert redis.ttl(key) > 0, key
        assert not any(d.encode() in key for d in digits), key
    # and the server's own log holds no phone number and no message text
    assert not any(d in log for d in digits)
    assert not any(f'"{t}"' in log for t in ["Fresno", "Had it", "Misdemeanor", "21 or older"])
