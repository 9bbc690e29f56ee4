"""Abuse of the webhooks: forged, missing and replayed signatures, wrong Telegram secrets,
malformed bodies, 1 MB bodies, invalid UTF-8, text from every Unicode plane, the rate
limit. Each is refused cleanly (a 4xx with a short body) or answered kindly; never a 500,
never a changed or broken state."""

from __future__ import annotations

import json
import zlib
from urllib.parse import quote

import httpx
import pytest
import twilio_client
from twilio_client import PUBLIC_URL, params, sign
from werkzeug.datastructures import MultiDict

import dialogs
from bot import stats

PHONE = "+13235550123"
URL = PUBLIC_URL + "/sms"
FORM = "application/x-www-form-urlencoded"


def node(store, phone=PHONE):
    return (store.peek("sms", phone) or {}).get("node")


def count(store, phone=PHONE) -> int:
    return int(store.redis.hget(store.person("sms", phone).key("s"), "n") or 0)


def secret(app) -> str:
    return app.config["TELEGRAM_WEBHOOK_SECRET"]


def twiml_ok(response) -> list[str]:
    """The <Message> bodies of a 200 TwiML answer (fails on anything else)."""
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/xml"
    return twilio_client.messages(response.get_data(as_text=True))


# --- signatures ------------------------------------------------------------------------


def test_a_replayed_signature_does_nothing_new(app, sms, store):
    client = app.test_client()
    sms.send(PHONE, "Hi")
    form = params(PHONE, "Fresno", twilio_client.new_sid())
    signature = sign(URL, form)
    assert twiml_ok(client.post("/sms", data=form, headers={"X-Twilio-Signature": signature}))
    sms.send(PHONE, "Had it")
    before, n = store.peek("sms", PHONE), count(store)
    # the same request again, later: valid, but already handled: empty TwiML, no change
    again = client.post("/sms", data=form, headers={"X-Twilio-Signature": signature})
    assert twiml_ok(again) == []
    assert store.peek("sms", PHONE) == before and count(store) == n
    # the captured signature on anything else: refused
    changes = {"MessageSid": twilio_client.new_sid(), "From": "+13235550999",
               "Body": "DELETE", "To": "+15550001111", "NumMedia": "1"}
    for name, value in changes.items():
        forged = dict(form, **{name: value})
        response = client.post("/sms", data=forged, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 403, name
    extra = dict(form, MediaUrl0="https://evil.example/x.jpg")
    assert client.post("/sms", data=extra,
                       headers={"X-Twilio-Signature": signature}).status_code == 403
    assert client.post("/sms?x=1", data=form,
                       headers={"X-Twilio-Signature": signature}).status_code == 403
    http_url = sign("http://clearline.example.org/sms", form)
    assert client.post("/sms", data=form,
                       headers={"X-Twilio-Signature": http_url}).status_code == 403
    assert store.peek("sms", PHONE) == before and count(store) == n
    assert store.peek("sms", "+13235550999") is None


@pytest.mark.parametrize("header", [
    "", " ", "A" * 10_000, "not base64 !!", "=" * 28, "é-ü-ñ", "\t", "null",
])
def test_odd_signature_headers_are_refused(app, store, header):
    form = params(PHONE, "Hi", twilio_client.new_sid())
    response = app.test_client().post("/sms", data=form, headers={"X-Twilio-Signature": header})
    assert response.status_code == 403
    assert store.peek("sms", PHONE) is None


def test_a_signature_header_in_raw_latin1_bytes_is_refused(app):
    form = params(PHONE, "Hi", twilio_client.new_sid())
    environ = {"HTTP_X_TWILIO_SIGNATURE": "\xff\xfe\x00sig".encode("latin-1").decode("latin-1")}
    response = app.test_client().post("/sms", data=form, environ_base=environ)
    assert response.status_code == 403


# --- Telegram secret ---------------------------------------------------------------------


WRONG_SECRETS = {
    "missing": lambda s: None, "empty": lambda s: "", "upper case": str.upper,
    "one short": lambda s: s[:-1], "one more": lambda s: s + "x", "space": lambda s: " " + s,
    "8000 long": lambda s: "x" * 8000, "latin-1": lambda s: "s\xe9cret",
}


@pytest.mark.parametrize("case", sorted(WRONG_SECRETS))
def test_a_wrong_telegram_secret_is_refused(telegram_app, standin, case):
    given = WRONG_SECRETS[case](secret(telegram_app))
    headers = {} if given is None else {"X-Telegram-Bot-Api-Secret-Token": given}
    update = standin.make_update(4242, "Hi")
    response = telegram_app.test_client().post("/telegram", json=update, headers=headers)
    assert response.status_code == 403
    assert telegram_app.extensions["clearline"].telegram is None  # nothing was started
    assert standin.sent_to(4242) == []


# --- malformed bodies --------------------------------------------------------------------


def signed_post(client, body: bytes, content_type: str | None = FORM, path: str = "/sms"):
    """Post raw ``body``, signed over exactly what the app will parse from it."""
    from flask import request

    app = client.application
    kwargs = {"content_type": content_type} if content_type else {}
    with app.test_request_context(path, method="POST", data=body, **kwargs):
        seen = MultiDict(request.form)
    headers = {"X-Twilio-Signature": twilio_client.RequestValidator(
        twilio_client.AUTH_TOKEN).compute_signature(PUBLIC_URL + path, seen)}
    if content_type:
        headers["Content-Type"] = content_type
    return client.post(path, data=body, headers=headers)


def form_bytes(fields: list[tuple[str, str]]) -> bytes:
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in fields).encode()


BASE = [(k, v) for k, v in params(PHONE, "Hi", "SMfixed0001").items() if k not in ("Body",)]
MALFORMED_SMS = {
    "json body": (b'{"From": "+13235550123", "Body": "Hi"}', "application/json"),
    "no content type": (form_bytes([*BASE, ("Body", "Hi")]), None),
    "text/plain": (b"From=%2B13235550123&Body=Hi", "text/plain"),
    "no From": (form_bytes([(k, v) for k, v in BASE if k != "From"] + [("Body", "Hi")]), FORM),
    "no Body": (form_bytes(BASE), FORM),
    "two Bodies": (form_bytes([*BASE, ("Body", "Hi"), ("Body", "DELETE")]), FORM),
    "two Froms": (form_bytes([*BASE, ("From", "+13235550999"), ("Body", "Hi")]), FORM),
    "empty": (b"", FORM),
    "only separators": (b"&&&===&=&", FORM),
    "broken escapes": (form_bytes(BASE) + b"&Body=%E2%82%&%zz=%", FORM),
    "NUL bytes": (form_bytes(BASE) + b"&Body=a%00b%00", FORM),
    "very many fields": (form_bytes(BASE + [(f"f{i}", "x") for i in range(3000)]), FORM),
    "multipart": (None, "multipart"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_SMS))
def test_malformed_sms_bodies_are_refused_or_answered(app, store, case):
    body, kind = MALFORMED_SMS[case]
    client = app.test_client()
    if kind == "multipart":
        form = params(PHONE, "Hi", twilio_client.new_sid())
        response = client.post("/sms", data=form, content_type="multipart/form-data",
                               headers={"X-Twilio-Signature": sign(URL, form)})
    else:
        response = signed_post(client, body, kind)
    assert response.status_code in (200, 400, 403, 413), response.status_code
    if response.status_code == 200:
        assert twiml_ok(response)  # a kind answer
        state = store.peek("sms", PHONE)
        assert state is None or dialogs.is_valid(state)
    # and unsigned, the same body is always refused
    unsigned = client.post("/sms", data=body or b"x=1",
                           headers={"Content-Type": kind} if kind and kind != "multipart"
                           else {})
    assert unsigned.status_code in (403, 413)


def test_wrong_method_and_unknown_paths(app):
    client = app.test_client()
    assert client.get("/sms").status_code == 405
    assert client.put("/sms", data="x").status_code == 405
    assert client.get("/telegram").status_code == 405
    assert client.post("/nowhere", data="x").status_code == 404


def deep(levels: int) -> bytes:
    return b'{"update_id": 1, "message": ' + b'{"a": ' * levels + b"1" + b"}" * levels + b"}"


MALFORMED_UPDATES = {
    "not json": b"{",
    "array": b"[1, 2, 3]",
    "null": b"null",
    "number": b"42",
    "string": b'"update"',
    "update_id as text": b'{"update_id": "7"}',
    "update_id only": b'{"update_id": 7}',
    "huge update_id": b'{"update_id": 100000000000000000000000000}',
    "NaN": b'{"update_id": NaN}',
    "message null": b'{"update_id": 8, "message": null}',
    "message a list": b'{"update_id": 9, "message": [1]}',
    "no chat": b'{"update_id": 10, "message": {"message_id": 1, "date": 1, "text": "hi"}}',
    "date as text": b'{"update_id": 11, "message": {"message_id": 1, "date": "x", '
                    b'"chat": {"id": 5, "type": "private"}, "text": "hi"}}',
    "text an object": b'{"update_id": 12, "message": {"message_id": 1, "date": 1, '
                      b'"chat": {"id": 77001, "type": "private"}, "text": {"a": 1}}}',
    "group chat": b'{"update_id": 13, "message": {"message_id": 1, "date": 1, '
                  b'"chat": {"id": -100, "type": "group"}, "text": "hi"}}',
    "invalid UTF-8": b'{"update_id": 14, "message": {"message_id": 1, "date": 1, '
                     b'"chat": {"id": 77002, "type": "private"}, "text": "\xff\xfe\xc3("}}',
    "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "nested objects": deep(20_000),
    "duplicate keys": b'{"update_id": 15, "update_id": 16}',
    "BOM": b'\xef\xbb\xbf{"update_id": 17}',
}


@pytest.mark.parametrize("case", sorted(MALFORMED_UPDATES))
def test_malformed_telegram_updates_are_refused_or_ignored(telegram_app, case):
    body = MALFORMED_UPDATES[case]
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret(telegram_app),
               "Content-Type": "application/json"}
    response = telegram_app.test_client().post("/telegram", data=body, headers=headers)
    assert response.status_code in (200, 400, 413), (case, response.status_code)


def test_telegram_json_that_is_not_json_typed(telegram_app, standin):
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret(telegram_app),
               "Content-Type": "text/plain"}
    body = json.dumps(standin.make_update(77003, "Hi"))
    response = telegram_app.test_client().post("/telegram", data=body, headers=headers)
    assert response.status_code in (200, 400, 415)


# --- 1 MB bodies -------------------------------------------------------------------------

MEGABYTE = 1024 * 1024


@pytest.mark.parametrize("path", ["/sms", "/telegram", "/api/chat", "/"])
def test_a_1_mb_body_is_refused(telegram_app, path):
    client = telegram_app.test_client()
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret(telegram_app)}
    big_form = params(PHONE, "x" * MEGABYTE, twilio_client.new_sid())
    if path == "/sms":
        headers["X-Twilio-Signature"] = sign(URL, big_form)  # genuine, so it gets that far
    response = client.post(path, data=big_form, headers=headers)
    assert response.status_code in ((413,) if path == "/sms" else (400, 403, 413)), path
    as_json = client.post(path, data=b'{"text": "' + b"x" * MEGABYTE + b'"}',
                          content_type="application/json", headers=headers)
    assert as_json.status_code in (400, 403, 413), path
    assert not list(telegram_app.extensions["clearline"].store.redis.scan_iter("clearline:{*"))


def test_1_mb_bodies_over_http_to_gunicorn_are_refused(gunicorn):
    """Through gunicorn as the Procfile runs it: with a Content-Length, and chunked (no
    length: the limit holds while the body is read); the server stays well."""
    server = gunicorn()

    def chunks():
        yield b"Body="
        for _ in range(64):
            yield b"x" * (MEGABYTE // 64)

    def post(path: str, **kwargs):
        with httpx.Client(timeout=30) as http:  # a fresh connection each: the server
            return http.post(server.url + path, **kwargs)  # may close one it stopped reading

    form = params(PHONE, "x" * MEGABYTE, twilio_client.new_sid())
    sized = post("/sms", data=form, headers={"X-Twilio-Signature": sign(URL, form)})
    chunked = post("/sms", content=chunks(),
                   headers={"Content-Type": FORM, "X-Twilio-Signature": "x"})
    telegram = post("/telegram", content=chunks(), headers={"Content-Type": "application/json"})
    health = httpx.get(server.url + "/healthz", timeout=30)
    assert sized.status_code == 413
    assert chunked.status_code in (403, 413)
    assert telegram.status_code in (403, 404, 413)
    assert health.status_code == 200


# --- invalid UTF-8 and every Unicode plane ------------------------------------------------


@pytest.mark.parametrize("raw", [
    b"%FF%FE", b"%C3%28", b"%ED%A0%80", b"%F4%90%80%80", b"%C0%AF", b"%E2%82", b"%F8%88%80%80%80",
])
def test_invalid_utf8_in_from_and_body(app, store, raw):
    client = app.test_client()
    base = [(k, v) for k, v in params(PHONE, "x", twilio_client.new_sid()).items()
            if k not in ("Body", "From")]
    body = form_bytes(base) + b"&From=%2B1323555" + raw + b"&Body=hi" + raw
    response = signed_post(client, body)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert twiml_ok(response)
    for key in store.redis.scan_iter("clearline:{*}:s"):
        state = json.loads(store.redis.hget(key, "st"))
        assert dialogs.is_valid(state)


def plane_samples() -> dict[str, str]:
    """Text from each of the 17 planes: a first, a middle and a noncharacter code point,
    plus the awkward ones of the BMP (controls, BOM, bidi overrides, joiners, combining)."""
    out = {}
    for plane in range(17):
        base = plane * 0x10000
        points = [base + 0x41 if plane == 0 else base + 0x100, base + 0x8000, base + 0xFFFD,
                  base + 0xFFFE, base + 0xFFFF]
        out[f"plane {plane}"] = "".join(chr(p) for p in points if not 0xD800 <= p <= 0xDFFF)
    out["bmp oddities"] = ("\ufeff\u202e\u200d\u2066\u0301" * 20 + "e\u0301" * 50
                           + "\x07\x1b[31m\u0000")
    out["zalgo"] = "H" + "\u0336\u0337\u0338\u0489" * 300
    out["emoji sequence"] = "👩🏽‍⚖️👨‍👩‍👧‍👦🏳️‍🌈" * 40
    out["tags"] = "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
    out["private use"] = "\ue000\U000f0000\U00100000\U0010fffd"
    return out


@pytest.mark.parametrize("name", sorted(plane_samples()))
def test_text_from_every_plane_is_answered_kindly(sms, store, name):
    text = plane_samples()[name]
    phone = f"+1323555{zlib.crc32(name.encode()) % 10_000:04d}"
    reply = sms.send(phone, text)
    assert reply.status == 200 and reply.messages and all(m.strip() for m in reply.messages)
    assert sms.send(phone, "Fresno").messages
    reply = sms.send(phone, text)  # also mid-conversation
    assert reply.status == 200 and reply.messages
    assert dialogs.is_valid(store.peek("sms", phone))


def test_text_from_every_plane_over_telegram(telegram_app, standin):
    client = telegram_app.test_client()
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret(telegram_app)}
    for i, (name, text) in enumerate(sorted(plane_samples().items())):
        chat = 880000 + i
        for _ in range(2):
            response = client.post("/telegram", json=standin.make_update(chat, text),
                                   headers=headers)
            assert response.status_code == 200, name
            standin.execute(response.get_data())  # the reply the answer carries, as Telegram
        sent = standin.sent_to(chat)
        # answered (the replies of a step come as one message; the same odd text again at
        # once may get no second answer)
        assert len(sent) >= 1 and all(m["text"].strip() for m in sent), name


# --- the rate limit ------------------------------------------------------------------------


def test_over_the_rate_limit_one_notice_and_no_processing(make_app):
    app = make_app(RATE_LIMIT_PER_MINUTE=4)
    store = app.extensions["clearline"].store
    sms = twilio_client.TwilioSender(app.test_client())
    for text in ["Hi", "Fresno", "Had it", "2010"]:
        assert sms.send(PHONE, text).messages
    state, n = store.peek("sms", PHONE), count(store)
    counted = stats.read(store.redis)
    notices = [sms.send(PHONE, text).messages for text in ["Misdemeanor", "DELETE", "1", "Hi"]]
    assert len(notices[0]) == 1 and "wait a minute" in notices[0][0]
    assert notices[1:] == [[], [], []]  # one notice, then silence
    assert store.peek("sms", PHONE) == state and count(store) == n  # nothing processed
    assert stats.read(store.redis) == counted  # not even counted
    assert 0 < store.redis.ttl(store.person("sms", PHONE).key("r")) <= 120  # 2 windows


def test_a_forged_signature_settings_header_is_refused_and_not_logged(app, store, caplog):
    """``X-Twilio-Webhooks-Signature-Settings`` names the algorithm: whatever a caller puts
    there is refused, and its words do not reach the log."""
    form = params(PHONE, "Hi", twilio_client.new_sid())
    client = app.test_client()
    for settings in ["algorithm=Fresno-Had-it", "algorithm=HMAC_SHA256", "key=x,algorithm=",
                     "algorithm=" + "A" * 5000, "\u00e9=\u00e9"]:
        headers = {"X-Twilio-Signature": sign(URL, form),
                   "X-Twilio-Webhooks-Signature-Settings": settings}
        response = client.post("/sms", data=form, headers=headers)
        assert response.status_code == 403, settings  # before: 2 of them got 200
    assert not any("Fresno" in r.getMessage() for r in caplog.records)
    assert store.peek("sms", PHONE) is None


def test_json_nested_too_deep_for_the_parser_is_a_bad_request_on_the_web_chat(app):
    """With a valid CSRF token (anyone can get one from the page), 3,000 nested brackets
    used to raise RecursionError and answer 500; it is a bad request."""
    import re

    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'csrf_token" value="([^"]+)"', page).group(1)
    for body in [b"[" * 3000 + b"]" * 3000, b'{"text": ' + b"[" * 3000 + b"]" * 3000 + b"}"]:
        response = client.post("/api/chat", data=body, headers={
            "X-CSRF-Token": token, "Content-Type": "application/json"})
        assert response.status_code == 400
    ok = client.post("/api/chat", json={"text": "hi"}, headers={"X-CSRF-Token": token})
    assert ok.status_code == 200
