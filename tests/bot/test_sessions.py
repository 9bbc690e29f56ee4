"""Sessions under load and faults, through a real HTTP server and a real Redis:
simultaneous messages, Redis stopped and restarted, what Redis holds after a run."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import twilio_client
from telegram_standin import TOKEN, WEBHOOK_SECRET

from bot import stats, telegram
from dialogs.sms import segments

PHONE = "+14155550142"


def post_sms(http, url, sender, body, sid=None):
    form = twilio_client.params(sender, body, sid or twilio_client.new_sid())
    headers = {"X-Twilio-Signature": twilio_client.sign(url + "/sms", form)}
    response = http.post(url + "/sms", data=form, headers=headers)
    return response.status_code, twilio_client.messages(response.text)


def session(store, channel, sender):
    raw = store.redis.hgetall(store.person(channel, sender).key("s"))
    return {k.decode(): v.decode("utf-8", "replace") for k, v in raw.items()}


def test_20_simultaneous_messages_from_one_sender(live):
    app, server = live(PUBLIC_URL="")
    store = app.extensions["clearline"].store
    with httpx.Client(timeout=30) as http:
        assert post_sms(http, server.url, PHONE, "Hi")[1]
        sids = [twilio_client.new_sid() for _ in range(20)]
        # 20 different texts that each say the question again (the same text twice within
        # 10 seconds is a double tap, taken once: see test_the_same_text_twice_is_taken_once)
        texts = ["repeat", "again", "say again", "say that again", "what was the question",
                 "repetir", "repita", "repite", "otra vez", "cuál era la pregunta", "help",
                 "info", "menu", "commands", "options", "what can i say", "ayuda",
                 "información", "menú", "opciones"]
        with ThreadPoolExecutor(20) as pool:
            results = list(pool.map(lambda a: post_sms(http, server.url, PHONE, a[1], a[0]),
                                     zip(sids, texts, strict=True)))
    assert all(status == 200 for status, _ in results)
    assert all(len(messages) >= 1 for _, messages in results)  # each answered, none lost
    saved = session(store, "sms", PHONE)
    assert int(saved["n"]) == 21  # every message applied exactly once
    seen = saved["m"].split()
    assert len(seen) == len(set(seen)) == 16
    assert set(seen) <= {store.message_key(s) for s in sids}
    assert json.loads(saved["st"])["node"] == "court"


def test_200_simultaneous_senders(live):
    app, server = live(PUBLIC_URL="")
    store = app.extensions["clearline"].store
    phones = [f"+1628555{i:04d}" for i in range(200)]
    limits = httpx.Limits(max_connections=50)
    with httpx.Client(timeout=60, limits=limits) as http, ThreadPoolExecutor(50) as pool:
        results = list(pool.map(lambda p: post_sms(http, server.url, p, "Hi"), phones))
    assert all(status == 200 and messages for status, messages in results)
    for phone in phones:
        saved = session(store, "sms", phone)
        assert saved["n"] == "1" and json.loads(saved["st"])["node"] == "court"
    counts = stats.read(store.redis)
    assert counts["totals"]["started"] == 200  # counted once each
    assert counts["channels"]["sms"]["started"] == 200


def test_the_same_signed_webhook_10_times_at_once(live):
    app, server = live(PUBLIC_URL="")
    store = app.extensions["clearline"].store
    with httpx.Client(timeout=30) as http:
        post_sms(http, server.url, PHONE, "Hi")
        sid = twilio_client.new_sid()
        with ThreadPoolExecutor(10) as pool:
            results = list(pool.map(lambda _: post_sms(http, server.url, PHONE, "1", sid),
                                    range(10)))
    assert all(status == 200 for status, _ in results)
    assert sum(1 for _, messages in results if messages) == 1  # one answer
    assert session(store, "sms", PHONE)["n"] == "2"  # one state change


def test_redis_stopped_mid_conversation_then_restarted(make_app):
    from redis_process import RedisProcess

    redis = RedisProcess().start()
    try:
        app = make_app(REDIS_URL=redis.url)
        sms = twilio_client.TwilioSender(app.test_client())
        store = app.extensions["clearline"].store
        sms.send(PHONE, "Hi")
        sms.send(PHONE, "Fresno")
        before = store.peek("sms", PHONE)
        assert before["node"] == "offense"
        redis.stop()  # saved to disk, like a clean restart
        down = sms.send(PHONE, "1")
        assert down.status == 200
        assert down.messages == ["Sorry, we can't answer right now. Please try again in a few "
                                 "minutes. / Lo sentimos, no podemos responder ahora. Intente "
                                 "de nuevo en unos minutos."]
        assert segments(down.messages[0]) == 1
        assert app.test_client().get("/healthz").status_code == 503
        redis.start()
        assert app.test_client().get("/healthz").status_code == 200
        assert store.peek("sms", PHONE) == before  # nothing half-written
        again = sms.send(PHONE, "1")
        assert again.messages and store.peek("sms", PHONE)["node"] == "conviction_date"
    finally:
        redis.close()


def test_telegram_webhook_registered_and_delivered_over_http(live, standin):
    app, server = live(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=standin.base_url)
    config = dict(app.config, PUBLIC_URL=server.url)
    assert telegram.set_webhook(config)
    assert standin.webhook["url"] == server.url + "/telegram"
    assert standin.webhook["secret_token"] == WEBHOOK_SECRET
    chat = 55501
    assert standin.deliver(standin.make_update(chat, "/start")) == 200
    assert standin.deliver(standin.make_update(chat, "Fresno")) == 200
    assert len(standin.sent_to(chat)) == 2  # each answer in one message
    standin.webhook["secret_token"] = "forged"
    assert standin.deliver(standin.make_update(chat, "1")) == 403


def test_every_key_has_a_ttl_and_no_key_or_value_holds_an_id(live, standin, caplog):
    app, server = live(PUBLIC_URL="", TELEGRAM_BOT_TOKEN=TOKEN,
                       TELEGRAM_API_BASE_URL=standin.base_url)
    store = app.extensions["clearline"].store
    phones = ["+14155550177", "+5215512345678", "+447700900123"]
    chats = [424242424, 777000111]
    secrets_told = ["Fresno", "2010"]
    with httpx.Client(timeout=30) as http:
        for phone in phones:
            for text in ["Hi", "Fresno", "1", "2010", "STOP" if phone == phones[1] else "2"]:
                post_sms(http, server.url, phone, text)
        headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        for chat in chats:
            for text in ["/start REF1", "Fresno", "/delete" if chat == chats[1] else "1"]:
                http.post(server.url + "/telegram", json=standin.make_update(chat, text),
                          headers=headers)
    redis = store.redis
    keys = list(redis.scan_iter(count=1000))
    assert len(keys) > 5
    ids = [re.sub(r"\D", "", p) for p in phones] + [str(c) for c in chats]
    for key in keys:
        name = key.decode()
        assert redis.ttl(key) > 0, name
        assert not any(i in name or i[-7:] in name for i in ids), name
        dump = redis.dump(key) or b""
        assert not any(i.encode() in dump for i in ids), name
        if redis.type(key) == b"hash":
            values = b" ".join(redis.hvals(key)).decode("utf-8", "replace")
            assert not any(i[-7:] in values for i in ids), name
    # the logs hold no phone number, chat id or message text either
    text = "\n".join(r.getMessage() + json.dumps(getattr(r, "fields", {}))
                     for r in caplog.records)
    assert not any(i[-7:] in text for i in ids)
    assert not any(s in text for s in secrets_told)
