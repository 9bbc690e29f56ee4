"""The smaller issues a probe of the running service found, each fixed and held here."""

from __future__ import annotations

import io
import json
import logging
import re
import time

import pytest

from bot import logs
from bot.share import ref_in_sms

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def test_the_referral_regex_is_linear_on_long_bodies():
    assert ref_in_sms("Hi! Code FRESNO25") == "FRESNO25"
    assert ref_in_sms("¡Hola! Código FERIA1") == "FERIA1"
    assert ref_in_sms("code abc12") == "ABC12"
    assert ref_in_sms("hi code") is None
    worst = "hi" + "!" * 8000  # before: 2.6 s for 8,000 characters (quadratic)
    started = time.perf_counter()
    for body in (worst, "!" * 8000 + "x", "hi " * 2700):
        assert ref_in_sms(body) is None
    assert time.perf_counter() - started < 0.05


@pytest.mark.parametrize("hops", [0, 1])
def test_share_links_never_take_a_forged_host(make_app, hops):
    app = make_app(PUBLIC_URL="", PROXY_HOPS=hops)
    client = app.test_client()
    forged = {"Host": "evil.example"}
    if not hops:  # nobody vouches for the Host header: not used (before: on the flyer)
        html = client.get("/share?code=ABC12", headers=forged).get_data(as_text=True)
        assert "evil.example" not in html
    qr = client.get("/share/qr.svg?code=ABC12&kind=web&lang=en", headers=forged)
    assert qr.status_code == 200 and "public" not in qr.headers["Cache-Control"]
    if hops:  # the proxy we trust says where people reach us
        via = client.get("/share?code=ABC12", headers={"X-Forwarded-Host": "clearline.org",
                                                       "X-Forwarded-Proto": "https"})
        assert "https://clearline.org/?ref=ABC12" in via.get_data(as_text=True)
    local = client.get("/share?code=ABC12", headers={"Host": "127.0.0.1:8000"})
    assert "http://127.0.0.1:8000/?ref=ABC12" in local.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/healthz", "/static/site.css", "/no-such-page",
                                  "/assets/site.css"])
def test_every_answer_carries_the_security_headers(app, path):
    response = app.test_client().get(path)
    assert response.status_code in (200, 404)
    assert "frame-ancestors 'none'" in response.headers.get("Content-Security-Policy", "")
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "no-referrer"


def test_a_language_switch_needs_the_csrf_token(app):
    client = app.test_client()
    english = {"Accept-Language": "en"}
    client.get("/", headers=english)
    response = client.post("/", data={"lang": "es"}, headers=english)  # no token
    assert response.status_code == 303
    assert 'lang="en"' in client.get("/", headers=english).get_data(as_text=True)
    token = CSRF_META.search(client.get("/", headers=english).get_data(as_text=True)).group(1)
    client.post("/", data={"lang": "es", "csrf_token": token, "text": "hola"}, headers=english)
    assert 'lang="es"' in client.get("/", headers=english).get_data(as_text=True)


def test_the_log_scrubber_keeps_addresses_and_withholds_library_text():
    stream = io.StringIO()
    logs.setup("INFO", stream)
    try:
        logging.getLogger("gunicorn.error").info("Listening at: http://127.0.0.1:8000 (4242)")
        logging.getLogger("clearline.test").warning("caller +1 415 555 0142 said hi")
        logging.getLogger("telegram.ext.Updater").warning(
            "Bad Request: chat 987654321 not found; text was Fresno")
    finally:
        logs.setup("INFO", io.StringIO())
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines[0]["event"] == "Listening at: http://127.0.0.1:8000 (4242)"  # before: blanked
    assert "415" not in lines[1]["event"] and "[redacted]" in lines[1]["event"]
    assert "Fresno" not in lines[2]["event"] and "not found" not in lines[2]["event"]
    assert lines[2]["level"] == "warning" and lines[2]["logger"] == "telegram.ext.Updater"
