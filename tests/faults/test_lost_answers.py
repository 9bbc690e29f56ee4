"""Redis's answer to the save is lost (the connection drops after the script ran): the
person still gets exactly one reply, and the state changes exactly once."""

from __future__ import annotations

import hashlib
import re

import pytest
import twilio_client
from redis_proxy import LossyRedisProxy

from bot import store as store_module
from bot.wording import notice

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
COMMIT_SHA = hashlib.sha1(store_module._COMMIT.encode()).hexdigest().encode()
BEGIN_SHA = hashlib.sha1(store_module._BEGIN.encode()).hexdigest().encode()


@pytest.fixture()
def proxy(durable_redis):
    lossy = LossyRedisProxy(str(durable_redis.socket))
    yield lossy
    lossy.close()


def saved(session_store, channel: str, sender: str) -> tuple[int, str | None]:
    """How many saves the person's session has seen, and the question they are at."""
    person = session_store.person(channel, sender)
    n = int(session_store.redis.hget(person.key("s"), "n") or 0)
    return n, (session_store.peek(channel, sender) or {}).get("node")


def test_sms_save_answer_lost_one_reply_one_change(make_app, proxy, session_store):
    app = make_app(REDIS_URL=proxy.url)
    sms = twilio_client.TwilioSender(app.test_client())
    control = twilio_client.TwilioSender(make_app().test_client())  # no losses
    phone, other = "+13105550140", "+13105550141"
    assert sms.send(phone, "Hi").messages and control.send(other, "Hi").messages
    before = saved(session_store, "sms", phone)
    proxy.drop_replies_to(COMMIT_SHA)
    reply = sms.send(phone, "Fresno")
    expected = control.send(other, "Fresno")
    assert proxy.dropped == 1
    assert reply.messages == expected.messages and reply.messages  # the same, one reply
    after = saved(session_store, "sms", phone)
    assert after[0] == before[0] + 1  # saved once
    assert after[1] == saved(session_store, "sms", other)[1] != before[1]


def test_web_save_without_id_answer_lost_applied_once(make_app, proxy, session_store):
    app = make_app(REDIS_URL=proxy.url)
    client = app.test_client()
    token = CSRF_META.search(client.get("/").get_data(as_text=True)).group(1)

    def chat(text):
        return client.post("/api/chat", json={"text": text}, headers={"X-CSRF-Token": token})

    assert chat("Hi").status_code == 200
    with client.session_transaction() as cookie:
        sender = "web:" + cookie["sid"]
    before = saved(session_store, "web", sender)
    proxy.drop_replies_to(COMMIT_SHA)
    answer = chat("Fresno")
    assert proxy.dropped == 1
    assert answer.status_code == 200 and answer.get_json()["replies"]
    assert not answer.get_json().get("notice")
    after = saved(session_store, "web", sender)
    assert after[0] == before[0] + 1 and after[1] != before[1]  # stepped once, not twice


def test_a_lost_answer_to_begin_counts_the_rate_once(make_app, proxy, session_store):
    app = make_app(REDIS_URL=proxy.url, RATE_LIMIT_PER_MINUTE=3)
    sms = twilio_client.TwilioSender(app.test_client())
    phone = "+13105550142"
    assert sms.send(phone, "Hi").messages
    proxy.drop_replies_to(BEGIN_SHA)
    assert sms.send(phone, "Fresno").messages
    assert proxy.dropped == 1
    third = sms.send(phone, "Had it")  # the third message: within the limit of 3
    assert third.messages and notice("rate_limited")["text"] not in third.text
