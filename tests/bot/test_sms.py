"""SMS end to end: Twilio-signed webhooks into the app, TwiML out, state in a real Redis."""

from __future__ import annotations

from urllib.parse import urlencode

import dialog_script
import hypothesis.strategies as st
import twilio_client
from hypothesis import HealthCheck, assume, given, settings
from twilio_client import AUTH_TOKEN, PUBLIC_URL, params, sign

import dialogs
from bot import stats
from dialogs.sms import segments

PHONE = "+15105550123"


def node(store, phone=PHONE):
    return (store.peek("sms", phone) or {}).get("node")


def person_keys(store, redis, phone=PHONE):
    digest = store.person("sms", phone).digest
    return sorted(k.decode() for k in redis.keys(f"clearline:{{{digest}}}:*"))


def test_full_conversation_to_a_verdict(sms, store):
    first = sms.send(PHONE, "Hi")
    assert first.status == 200
    assert "Clearline" in first.text and "\n1 " in first.text  # welcome + numbered choices
    replies = []

    def send(text):
        reply = sms.send(PHONE, text)
        assert reply.status == 200 and reply.messages, text
        assert all(segments(body) <= 2 for body in reply.messages), reply.messages  # SMS budget
        replies.append(reply)

    asked = dialog_script.run_to_verdict(send, lambda: node(store))
    assert {"offense", "conviction_date", "level"} <= set(asked)
    verdict = replies[-1]
    assert "1 " in verdict.text  # the "check another?" choices, numbered
    assert len(verdict.messages) >= 2  # too long for one 2-segment SMS: sent as several
    counts = stats.read(store.redis)
    assert counts["totals"]["started"] == 1 and counts["totals"]["completed"] == 1
    assert counts["channels"]["sms"]["completed"] == 1
    assert counts["counties"] == {"Fresno": 1}


def test_spanish_first_message_with_a_referral_code(sms, store):
    reply = sms.send(PHONE, "¡Hola! Código CLINIC7")  # the share kit's SMS link
    assert reply.status == 200
    state = store.peek("sms", PHONE)
    assert state["lang"] == "es" and state["ref"] == "CLINIC7"
    assert "Clearline" in reply.text and "\n1 " in reply.text


def test_referral_code_only_from_a_first_greeting(sms, store):
    sms.send(PHONE, "Hi! Code FAIR25")
    assert store.peek("sms", PHONE)["ref"] == "FAIR25"
    other = "+15105550111"
    sms.send(other, "Hello there")
    assert "ref" not in store.peek("sms", other)
    sms.send(other, "Hi! Code LATE1")  # not a new session: no code recorded
    assert "ref" not in store.peek("sms", other)
    assert stats.read(store.redis)["refs"] == {"FAIR25": {"started": 1, "completed": 0}}


def test_forged_and_missing_signatures_are_refused(app, sms, store):
    client = app.test_client()
    form = params(PHONE, "Hi", twilio_client.new_sid())
    good = sign(PUBLIC_URL + "/sms", form)
    cases = {
        "missing": {},
        "empty": {"X-Twilio-Signature": ""},
        "wrong token": {"X-Twilio-Signature": sign(PUBLIC_URL + "/sms", form, "not-the-token")},
        "wrong url": {"X-Twilio-Signature": sign("https://evil.example/sms", form)},
        "garbage": {"X-Twilio-Signature": "AAAA"},
    }
    for name, headers in cases.items():
        response = client.post("/sms", data=form, headers=headers)
        assert response.status_code == 403, name
    tampered = dict(form, Body="DELETE")
    response = client.post("/sms", data=tampered, headers={"X-Twilio-Signature": good})
    assert response.status_code == 403
    assert store.peek("sms", PHONE) is None  # nothing was processed
    assert client.post("/sms", data=form, headers={"X-Twilio-Signature": good}).status_code == 200


def test_no_auth_token_configured_refuses_everything(make_app):
    app = make_app(TWILIO_AUTH_TOKEN="")
    reply = twilio_client.TwilioSender(app.test_client()).send(PHONE, "Hi")
    assert reply.status == 403


def test_signature_checked_against_forwarded_url_behind_a_proxy(make_app):
    app = make_app(PUBLIC_URL="", PROXY_HOPS=1)
    client = app.test_client()
    form = params(PHONE, "Hi", twilio_client.new_sid())
    url = "https://sms.clinic.example/sms"
    headers = {"X-Twilio-Signature": sign(url, form), "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "sms.clinic.example", "X-Forwarded-For": "1.2.3.4"}
    assert client.post("/sms", data=form, headers=headers).status_code == 200
    # without the proxy's headers the app sees http://localhost/sms: not what was signed
    plain = {"X-Twilio-Signature": sign(url, form)}
    assert client.post("/sms", data=form, headers=plain).status_code == 403


def test_a_retried_message_sid_is_answered_once(sms, store):
    sms.send(PHONE, "Hi")
    sid = twilio_client.new_sid()
    first = sms.send(PHONE, "1", sid=sid)
    after_first = store.peek("sms", PHONE)
    retry = sms.send(PHONE, "1", sid=sid)
    assert first.messages and retry.status == 200
    assert retry.messages == []  # valid, empty TwiML: Twilio sends nothing
    assert store.peek("sms", PHONE) == after_first
    assert int(store.redis.hget(store.person("sms", PHONE).key("s"), "n")) == 2


def test_the_same_text_twice_is_taken_once(sms, store):
    """A double send (two MessageSids, the same words, seconds apart) answers one question;
    the second gets the question waiting again (a lost reply is never left silent)."""
    sms.send(PHONE, "Hi")
    sms.send(PHONE, "Fresno")
    first = sms.send(PHONE, "I sold weed")
    assert first.messages and node(store) == "conviction_date"
    again = sms.send(PHONE, "I sold weed")
    assert again.status == 200 and "what year" in again.text  # the same question again
    assert node(store) == "conviction_date"
    assert store.peek("sms", PHONE)["facts"]["offense"] == "sale_transport"
    assert sms.send(PHONE, "2005").messages  # a different text goes on as usual
    assert node(store) != "conviction_date"


def test_stop_then_start(sms, store):
    redis = store.redis
    sms.send(PHONE, "Hi")
    sms.send(PHONE, "1")
    stop = sms.send(PHONE, "STOP")
    assert stop.status == 200 and stop.messages  # one confirmation
    assert person_keys(store, redis) == sorted([store.person("sms", PHONE).key("r"),
                                                store.person("sms", PHONE).key("x")])
    assert b"facts\":{}" in redis.get(store.person("sms", PHONE).key("x"))  # no answers kept
    silent = sms.send(PHONE, "hello?")
    assert silent.status == 200 and silent.messages == []  # opted out: nothing sent
    start = sms.send(PHONE, "START")
    assert start.messages and "\n1 " in start.text  # welcome back and the first question
    assert redis.exists(store.person("sms", PHONE).key("x")) == 0
    assert node(store) == "court"
    assert sms.send(PHONE, "1").messages


def test_delete_leaves_no_key_behind(sms, store):
    redis = store.redis
    sms.send(PHONE, "Hi")
    sms.send(PHONE, "1")
    sms.send(PHONE, "1")
    other = "+15105550999"
    sms.send(other, "Hi")
    ask = sms.send(PHONE, "DELETE")
    assert node(store) == "confirm_delete" and "\n1 " in ask.text
    done = sms.send(PHONE, "1")
    assert done.messages
    assert person_keys(store, redis) == []
    assert all(PHONE[1:] not in k.decode() for k in redis.keys("*"))
    assert node(store, other) == "court"  # the other person is untouched


def test_oversized_body_gets_413(app):
    client = app.test_client()
    form = params(PHONE, "x" * 70_000, twilio_client.new_sid())
    headers = {"X-Twilio-Signature": sign(PUBLIC_URL + "/sms", form)}
    assert client.post("/sms", data=form, headers=headers).status_code == 413


def test_any_text_gets_a_kind_valid_answer(sms, store):
    texts = ["", "   ", "🙂🙂🙂", "你好", "مرحبا", "Ω" * 1599, "a" * 5000, "\x00\x07bell",
             "<Response>&amp;</Response>", "' OR 1=1 --", "\U0001f600" * 300, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"]
    for i, text in enumerate(texts):
        reply = sms.send(f"+1510555{i:04d}", text)
        assert reply.status == 200, repr(text)
        assert reply.messages and all(m.strip() for m in reply.messages), repr(text)


def test_invalid_utf8_body_is_answered(app):
    from flask import request

    client = app.test_client()
    form = params(PHONE, "placeholder", twilio_client.new_sid())
    raw = urlencode({k: v for k, v in form.items() if k != "Body"}).encode()
    raw += b"&Body=%FF%FEhi%C3%28"
    kind = "application/x-www-form-urlencoded"
    with app.test_request_context("/sms", method="POST", data=raw, content_type=kind):
        seen = request.form.to_dict()  # what the app decodes, and so what Twilio signed
    headers = {"X-Twilio-Signature": sign(PUBLIC_URL + "/sms", seen), "Content-Type": kind}
    response = client.post("/sms", data=raw, headers=headers)
    assert response.status_code == 200
    assert twilio_client.messages(response.get_data(as_text=True))


def test_rate_limit_sends_one_notice_then_silence(make_app):
    app = make_app(RATE_LIMIT_PER_MINUTE=3)
    sms = twilio_client.TwilioSender(app.test_client())
    for text in ["Hi", "Hello", "Fresno"]:  # (the same text twice would be a double send)
        assert sms.send(PHONE, text).messages
    notice = sms.send(PHONE, "Had it")
    assert notice.status == 200 and "wait a minute" in notice.text
    assert sms.send(PHONE, "2010").messages == []
    assert sms.send("+15105550777", "Hi").messages  # others are not slowed down


def test_stop_is_honoured_even_when_rate_limited(make_app):
    app = make_app(RATE_LIMIT_PER_MINUTE=2)
    store = app.extensions["clearline"].store
    sms = twilio_client.TwilioSender(app.test_client())
    for _ in range(3):
        sms.send(PHONE, "Hi")  # the third is over the limit
    stop = sms.send(PHONE, "STOP")
    assert stop.status == 200 and stop.messages  # the one opt-out confirmation
    assert store.redis.exists(store.person("sms", PHONE).key("x")) == 1  # opted out
    assert store.peek("sms", PHONE) is None  # and the answers erased


def test_healthz_reports_redis(app, redis_server):
    client = app.test_client()
    ok = client.get("/healthz")
    assert ok.status_code == 200 and ok.get_json()["status"] == "ok"


def test_signature_uses_auth_token_from_environment(monkeypatch, redis_url, tmp_path):
    from bot import config
    from bot.app import create_app

    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("PUBLIC_URL", PUBLIC_URL + "/")
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app({"TESTING": True})
    assert app.config["PUBLIC_URL"] == PUBLIC_URL
    assert not (tmp_path / "secret_key").exists()  # kept in the user's config folder
    assert app.config["SECRET_KEY"] == config.local_secret(tmp_path)
    reply = twilio_client.TwilioSender(app.test_client()).send(PHONE, "Hi")
    assert reply.status == 200 and reply.messages


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400))
def test_any_unicode_text_is_answered_and_state_stays_valid(sms, store, text):
    # a carrier keyword ("end", "quit") opts out: no state, then silence (tested apart)
    assume(not dialogs.is_opt_out(text))
    reply = sms.send("+15105550150", text)
    assert reply.status == 200 and reply.messages
    assert dialogs.is_valid(store.peek("sms", "+15105550150"))
