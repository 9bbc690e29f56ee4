"""The web chat, share kit and admin pages through HTTP (Flask's test client, real Redis)."""

from __future__ import annotations

import json
import re

import pytest

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@pytest.fixture()
def client(web_app):
    return web_app.test_client()


@pytest.fixture()
def make_app(tmp_path):
    """Another app with its own settings and its own embedded Redis (stopped afterwards)."""
    from bot import redis_embedded
    from bot.app import create_app

    def make(**settings):
        return create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "SECRET_KEY": "k",
                           **settings})

    yield make
    redis_embedded.stop(tmp_path)


def csrf_of(client, path: str = "/") -> str:
    html = client.get(path).get_data(as_text=True)
    return CSRF_META.search(html).group(1)


def chat(client, text: str, token: str, **extra):
    return client.post("/api/chat", json={"text": text, **extra},
                       headers={"X-CSRF-Token": token})


# --- security headers ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/share", "/share?code=ABC12"])
def test_pages_carry_strict_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_pages_have_no_inline_script_or_style(client):
    for path in ("/", "/share?code=ABC12", "/share/flyer?code=ABC12"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "<style" not in html
        assert not re.search(r"\son\w+=", html), path  # no inline event handlers
        assert " style=" not in html, path


def test_session_cookie_is_httponly_and_samesite(client):
    response = client.get("/")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires" not in cookie  # gone when the browser closes


def test_session_cookie_is_secure_behind_https(make_app):
    client = make_app(PUBLIC_URL="https://clearline.example.org").test_client()
    assert "Secure" in client.get("/").headers["Set-Cookie"]


# --- the chat API ----------------------------------------------------------------------


def test_api_chat_answers_json_replies(client):
    token = csrf_of(client)
    response = chat(client, "hi", token, id="m-1")
    assert response.status_code == 200
    body = response.get_json()
    assert body["lang"] == "en"
    assert body["replies"] and all(set(r) == {"text", "choices"} for r in body["replies"])
    assert "Clearline" in body["replies"][0]["text"]
    for choice in body["replies"][-1]["choices"]:
        assert set(choice) == {"id", "label"}


def test_api_chat_refuses_a_missing_or_forged_csrf_token(client):
    csrf_of(client)
    response = client.post("/api/chat", json={"text": "hi"})
    assert response.status_code == 403
    assert response.get_json()["error"] == "csrf"
    assert response.get_json()["csrf_token"]  # the page can retry with a fresh one
    assert chat(client, "hi", "forged").status_code == 403


def test_api_chat_from_another_browser_session_is_refused(web_app):
    one, other = web_app.test_client(), web_app.test_client()
    token = csrf_of(one)
    csrf_of(other)
    assert chat(other, "hi", token).status_code == 403


@pytest.mark.parametrize(("payload", "status", "error"), [
    ({"text": ""}, 400, "error_empty"),
    ({"text": "   "}, 400, "error_empty"),
    ({"text": 42}, 400, "error_empty"),
    (["hi"], 400, "bad_json"),
])
def test_api_chat_bad_input_gets_a_clean_error(client, payload, status, error):
    token = csrf_of(client)
    response = client.post("/api/chat", json=payload, headers={"X-CSRF-Token": token})
    assert response.status_code == status
    assert response.get_json()["error"] == error


def test_api_chat_needs_json(client):
    token = csrf_of(client)
    response = client.post("/api/chat", data="text=hi", headers={"X-CSRF-Token": token},
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_api_chat_oversized_body_is_413(client):
    token = csrf_of(client)
    response = client.post("/api/chat", data='{"text": "' + "a" * 40000 + '"}',
                           content_type="application/json", headers={"X-CSRF-Token": token})
    assert response.status_code == 413


def test_a_long_paste_is_cut_at_the_sms_limit_with_a_kind_note(client, web_app):
    limit = web_app.config["MAX_TEXT_LENGTH"]
    token = csrf_of(client)
    chat(client, "hi", token)
    pasted = "It was in Fresno County, the court of California. " * 80  # about 4,000
    replies = chat(client, pasted, token).get_json()["replies"]
    assert replies[0]["text"] == (
        f"Your message was long, so we read only its first {limit:,} characters.")
    assert "What was the case for?" in replies[-1]["text"]  # read: it moved on
    page = client.get("/").get_data(as_text=True)
    assert pasted[:limit].strip() in page and pasted[: limit + 60] not in page


def test_a_long_form_post_is_cut_with_the_note_in_the_page_language(client):
    token = csrf_of(client)
    client.post("/", data={"text": "hola", "lang": "es", "csrf_token": token})
    big = client.post("/", data={"text": "a" * 20000, "csrf_token": token})
    assert big.status_code == 303  # read up to the limit; back to the page with a note
    page = client.get("/").get_data(as_text=True)
    assert "Su mensaje era largo, así que solo leímos sus primeros 1,600 caracteres." in page


@pytest.mark.parametrize("text", ["🙂🙂🙂", "مرحبا", "'; DROP TABLE x; --", "<script>x</script>"])
def test_api_chat_any_alphabet_gets_a_reply(client, text):
    token = csrf_of(client)
    response = chat(client, text, token)
    assert response.status_code == 200
    assert response.get_json()["replies"]


def test_a_repeated_message_id_is_not_answered_twice(client):
    token = csrf_of(client)
    first = chat(client, "hi", token, id="same-id").get_json()
    again = chat(client, "hi", token, id="same-id").get_json()
    assert again["replies"] == first["replies"]  # shown again, not stepped again


def test_form_post_without_javascript_redirects_back_to_the_answer(client):
    token = csrf_of(client)
    response = client.post("/", data={"text": "hi", "csrf_token": token, "mid": "f1"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/#latest")
    html = client.get("/").get_data(as_text=True)
    assert 'id="latest"' in html and "Clearline" in html


def test_form_post_with_a_bad_token_asks_to_send_again(client):
    csrf_of(client)
    response = client.post("/", data={"text": "hi", "csrf_token": "nope"})
    assert response.status_code == 303
    html = client.get("/").get_data(as_text=True)
    assert "open for a long time" in html


def test_the_page_says_how_long_answers_are_kept(make_app):
    html = make_app(SESSION_TTL_DAYS=7).test_client().get("/").get_data(as_text=True)
    assert "We keep your answers for 7 days after your last message at most" in html


def test_spanish_page_from_the_browser_language(client):
    html = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9"}).get_data(as_text=True)
    assert '<html lang="es">' in html
    assert "Empezar en español" in html


def test_redis_down_gets_a_kind_reply_not_an_error(make_app):
    client = make_app(REDIS_URL="redis://127.0.0.1:9/0").test_client()  # nothing listens
    token = csrf_of(client)
    response = chat(client, "hi", token)
    assert response.status_code == 200
    assert response.get_json()["notice"] is True
    assert "try again in a few minutes" in response.get_json()["replies"][0]["text"]
    form = client.post("/", data={"text": "hi", "csrf_token": token})
    assert form.status_code == 303
    assert "try again in a few minutes" in client.get("/").get_data(as_text=True)


def test_over_the_rate_limit_the_question_stays_and_a_notice_shows(make_app):
    client = make_app(RATE_LIMIT_PER_MINUTE=2).test_client()
    token = csrf_of(client)
    first = chat(client, "hi", token).get_json()
    assert first["notice"] is False
    question = first["replies"][-1]["text"]
    chat(client, "california", token)
    for _ in range(2):  # every message over the limit gets the notice on the web
        over = chat(client, "possession", token).get_json()
        assert over["notice"] is True
        assert "very fast" in over["replies"][0]["text"]
    client.post("/", data={"text": "possession", "csrf_token": token})
    html = client.get("/").get_data(as_text=True)
    assert "very fast" in html  # shown in the alert box...
    assert html.index(question) < html.index("What was the case for?")  # the whole chat,
    assert html.count('class="msg me"') == 2  # and the question stays: nothing was added


# --- share kit -------------------------------------------------------------------------


def test_share_kit_links(client, web_app):
    bot = web_app.config["TELEGRAM_BOT_USERNAME"]
    hotline = web_app.config["HOTLINE_NUMBER"]
    html = client.get("/share?code=fresnofair25").get_data(as_text=True)
    assert "FRESNOFAIR25" in html
    assert "/?ref=FRESNOFAIR25" in html
    assert f"https://t.me/{bot}?start=FRESNOFAIR25" in html
    assert f"sms:{hotline}?&amp;body=Hi%21%20Code%20FRESNOFAIR25" in html
    assert f"sms:{hotline}?&amp;body=%C2%A1Hola%21%20C%C3%B3digo%20FRESNOFAIR25" in html
    assert html.count('class="qr"') == 8  # four links, two languages
    assert "https://wa.me/" + web_app.config["WHATSAPP_NUMBER"].lstrip("+") in html


@pytest.mark.parametrize("code", ["a", "has space", "x" * 17, "dé", "<b>", "AB-12"])
def test_share_refuses_bad_codes(client, code):
    response = client.get("/share", query_string={"code": code})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and "<b>" not in html
    assert 'class="qr"' not in html


def test_qr_svg(client):
    response = client.get("/share/qr.svg?code=ABC12&kind=web&lang=en")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).startswith("<svg")
    assert client.get("/share/qr.svg?code=no!&kind=web").status_code == 404
    assert client.get("/share/qr.svg?code=ABC12&kind=fax").status_code == 404


def test_flyer_is_printable_and_bilingual(client):
    html = client.get("/share/flyer?code=ABC12").get_data(as_text=True)
    assert 'lang="en"' in html and 'lang="es"' in html
    assert "Hi! Code ABC12" in html and "¡Hola! Código ABC12" in html
    css = client.get("/assets/site.css").get_data(as_text=True)
    assert "@media print" in css
    assert client.get("/share/flyer?code=").status_code == 404


def test_share_kit_and_flyer_show_short_readable_links_and_a_national_number(make_app):
    app = make_app(HOTLINE_NUMBER="+14155550100", PUBLIC_URL="https://clearline.example.org",
                   ORG_NAME="Bay Legal Aid")
    client = app.test_client()
    flyer = client.get("/share/flyer?code=ABC12").get_data(as_text=True)
    assert 'to <span class="nowrap">(415) 555-0100</span>' in flyer
    assert "+14155550100" not in flyer
    assert ">clearline.example.org/?ref=ABC12</a>" in flyer
    assert "Bay Legal Aid" in flyer
    kit = client.get("/share?code=ABC12").get_data(as_text=True)
    shown = re.findall(r'<p class="url"><a href="([^"]+)">([^<]+)</a>', kit)
    assert ("sms:+14155550100?&amp;body=Hi%21%20Code%20ABC12", "(415) 555-0100") in shown
    assert all("%" not in text and "://" not in text for _, text in shown)


@pytest.mark.parametrize(("body", "code"), [
    ("Hi! Code FRESNOFAIR25", "FRESNOFAIR25"), ("¡Hola! Código abc12", "ABC12"),
    ("code: AB12", "AB12"), ("Hi there", None), ("the code was 11357", None), ("", None),
])
def test_the_code_in_a_share_kit_text_message(body, code):
    from bot.share import ref_in_sms

    assert ref_in_sms(body) == code


def test_a_text_from_the_share_kit_counts_for_its_code(make_app):
    from twilio.request_validator import RequestValidator

    from bot import stats
    from bot.shared import get_store

    token, url = "twilio-test-token", "https://clearline.example.org"
    app = make_app(TWILIO_AUTH_TOKEN=token, PUBLIC_URL=url)
    form = {"From": "+15550001111", "Body": "¡Hola! Código SMSKIT1", "MessageSid": "SM1"}
    signature = RequestValidator(token).compute_signature(url + "/sms", form)
    response = app.test_client().post("/sms", data=form,
                                      headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    assert "¡Hola!" in response.get_data(as_text=True)  # answered in Spanish
    with app.app_context():
        counted = stats.read(get_store().redis)
    assert counted["refs"] == {"SMSKIT1": {"started": 1, "completed": 0}}
    assert counted["channels"]["sms"]["started"] == 1


# --- admin -----------------------------------------------------------------------------


def test_admin_is_off_without_a_token(make_app):
    client = make_app(ADMIN_TOKEN="").test_client()
    assert client.get("/admin").status_code == 404
    assert client.get("/admin/stats.csv").status_code == 404


def test_admin_refuses_without_the_token(client):
    response = client.get("/admin")
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "Admin token" in html and "started" not in html
    assert client.get("/admin/stats.csv").status_code == 401
    bad = client.get("/admin/stats.csv", headers={"Authorization": "Bearer wrong"})
    assert bad.status_code == 401


def test_admin_sign_in_with_the_token(client, web_app):
    page = client.get("/admin").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    wrong = client.post("/admin", data={"csrf_token": token, "token": "nope"})
    assert wrong.status_code == 401
    right = client.post("/admin", data={"csrf_token": token,
                                        "token": web_app.config["ADMIN_TOKEN"]})
    assert right.status_code == 303
    dashboard = client.get("/admin")
    assert dashboard.status_code == 200
    assert "Where people stop" in dashboard.get_data(as_text=True)


def test_admin_csv_with_a_bearer_token(client, web_app):
    bearer = {"Authorization": f"Bearer {web_app.config['ADMIN_TOKEN']}"}
    response = client.get("/admin/stats.csv", headers=bearer)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.get_data(as_text=True).startswith("week,metric,group,name,count")


def test_admin_locks_out_an_address_after_ten_wrong_tokens(make_app):
    from bot.shared import get_store

    app = make_app(ADMIN_TOKEN="right-token")
    client = app.test_client()
    page = client.get("/admin").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    for _ in range(9):
        assert client.post("/admin", data={"csrf_token": token, "token": "x"}).status_code == 401
    bearer = client.get("/admin/stats.csv", headers={"Authorization": "Bearer x"})
    assert bearer.status_code == 401  # the tenth wrong token
    locked = client.post("/admin", data={"csrf_token": token, "token": "right-token"})
    assert locked.status_code == 429
    assert "wait 15 minutes" in locked.get_data(as_text=True)
    with app.app_context():
        redis = get_store().redis
        keys = redis.keys("clearline:{admin}:fail:*")
        assert len(keys) == 1 and b"127.0.0.1" not in keys[0]
        assert 0 < redis.ttl(keys[0]) <= 30 * 60  # sliding: this window and the last
        redis.delete(*keys)  # the window passes
    assert client.post("/admin", data={"csrf_token": token,
                                       "token": "right-token"}).status_code == 303


def test_admin_says_when_redis_is_down(make_app):
    app = make_app(ADMIN_TOKEN="right-token", REDIS_URL="redis://127.0.0.1:9/0")
    bearer = {"Authorization": "Bearer right-token"}
    client = app.test_client()
    for path in ("/admin", "/admin/stats.csv"):
        response = client.get(path, headers=bearer)
        assert response.status_code == 503
        assert "try again in a few minutes" in response.get_data(as_text=True)


def test_admin_period_and_csv_follow_the_chosen_weeks(client, web_app):
    bearer = {"Authorization": f"Bearer {web_app.config['ADMIN_TOKEN']}"}
    html = client.get("/admin?weeks=4", headers=bearer).get_data(as_text=True)
    assert "over the last 4 weeks" in html
    assert 'href="/admin?weeks=4" aria-current="page"' in html
    assert "/admin/stats.csv?weeks=4" in html
    assert client.get("/admin?weeks=bogus", headers=bearer).status_code == 200


# --- what the browser keeps, the transcript, the web's words ----------------------------


def session_cookie(client) -> dict:
    """The Flask session cookie, decoded (it is signed, not encrypted: anyone can read it)."""
    import base64
    import json
    import zlib

    cookie = client.get_cookie("session")
    payload = cookie.value.split(".")
    compressed = payload[0] == ""
    data = payload[1] if compressed else payload[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    return json.loads(zlib.decompress(raw) if compressed else raw)


def test_the_cookie_holds_no_message_text(client):
    token = csrf_of(client)
    said = ["hi", "california", "possession", "2010", "Fresno", "misdemeanor", "no", "21_plus"]
    replies = [r["text"] for t in said for r in chat(client, t, token).get_json()["replies"]]
    cookie = session_cookie(client)
    assert set(cookie) <= {"sid", "lang", "csrf_token", "ref", "said", "notice", "error"}
    flat = json.dumps(cookie)
    for text in ["Fresno", "2010", "possession", *[r[:30] for r in replies]]:
        assert text not in flat
    page = client.get("/").get_data(as_text=True)
    assert "Fresno" in page and "Your result" in page  # the server still has it all


def test_the_transcript_lives_in_redis_with_the_session_ttl_and_delete_erases_it(web_app):
    from bot import history

    client = web_app.test_client()
    store = web_app.extensions["clearline"].store
    token = csrf_of(client)
    chat(client, "hi", token)
    chat(client, "Fresno", token)
    sender = "web:" + session_cookie(client)["sid"]
    key = store.person("web", sender).key("t")
    assert [e["text"] for e in history.load(store, sender) if e["who"] == "me"] == [
        "hi", "Fresno"]
    assert store.ttl - 5 < store.redis.ttl(key) <= store.ttl
    assert "Fresno" not in key
    chat(client, "DELETE", token)
    chat(client, "yes", token)
    assert not store.redis.exists(key, store.person("web", sender).key("s"))
    page = client.get("/").get_data(as_text=True)
    assert "We erased everything you told us" in page and "Fresno" not in page


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_web_never_says_text_or_reply_with_a_number(client, lang):
    token = csrf_of(client)
    said = ["ESPANOL" if lang == "es" else "ENGLISH", "zzz", "qqq", "xxx", "?", "help",
            "federal", "zzz", "no", "thanks", "DELETE", "no", "STOP", "hello", "START"]
    texts = [r["text"] for t in said for r in chat(client, t, token).get_json()["replies"]]
    assert len(texts) >= len(said)
    sms_words = re.compile(r"\btext(o|s)?\b|\breply\b|\bresponda\b|n[uú]mero", re.I)
    assert [t for t in texts if sms_words.search(t)] == []


def test_the_same_answer_to_two_questions_in_a_row_is_taken_twice(client):
    token = csrf_of(client)
    for text in ["hi", "california", "possession", "2010", "Fresno", "misdemeanor", "no",
                 "21_plus"]:
        chat(client, text, token)
    another = chat(client, "yes", token, choice=True).get_json()  # check another: yes
    assert "Fresno County too?" in another["replies"][-1]["text"]
    same_place = chat(client, "yes", token, choice=True).get_json()  # the same county: yes
    assert same_place["replies"] and "Fresno County too?" not in same_place["html"]


def test_each_question_says_how_far_along_the_check_is(client):
    token = csrf_of(client)
    first = chat(client, "hi", token).get_json()
    assert re.fullmatch(r"Question 1 of about \d+", first["progress"])
    second = chat(client, "california", token).get_json()
    number, total = map(int, re.findall(r"\d+", second["progress"]))
    assert number == 2 and total >= 3
    assert second["progress"] in client.get("/").get_data(as_text=True)  # after a reload


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ["What we keep", "30 days", "365 days", "never sell", "Erase my answers",
            "This service is run by Bay Legal Aid.", 'href="tel:+14155550100"']),
    ("es", ["Qué guardamos", "30 días", "Nunca vendemos", "Borrar mis respuestas",
            "Este servicio lo ofrece Bay Legal Aid."]),
])
def test_privacy_page_in_both_languages(make_app, lang, words):
    app = make_app(ORG_NAME="Bay Legal Aid", ORG_URL="https://baylegal.example.org",
                   ORG_CONTACT="(415) 555-0100")
    client = app.test_client()
    response = client.get(f"/privacy?lang={lang}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f'<html lang="{lang}">' in html
    for word in words:
        assert word in html
    chat_page = client.get(f"/?lang={lang}").get_data(as_text=True)
    assert "Bay Legal Aid" in chat_page and 'href="/privacy?lang=' in chat_page


def test_privacy_page_says_when_the_operator_is_not_named(client):
    html = client.get("/privacy").get_data(as_text=True)
    assert "has not said who runs it" in html
