"""The voice hotline end to end: Twilio-signed calls to the running app over HTTP, TwiML
out (valid XML, checked Gathers), state in a real Redis, text messages through twilio's
REST client to a local stand-in of Twilio's Messages endpoint."""

from __future__ import annotations

import re

import pytest
from twilio_client import AUTH_TOKEN, HOTLINE
from twilio_standin import ACCOUNT_SID, TwilioStandIn
from twilio_voice import Caller

from bot import stats

PHONE = "+13235550142"
LA_PHONE = re.compile(r"3 2 3, 7 6 0, 6 7 6 3")  # (323) 760-6763, read in groups
SPEECH = {  # what a caller says at each question
    "en": {"court": "it was in Los Angeles", "county": "Los Angeles", "offense": "I had it to sell",
           "conviction_date": "2009", "age_at_offense": "I was 30", "level": "a felony",
           "disqualifiers": "no none of those", "currently_serving": "no",
           "juvenile": "no", "amount": "yes", "year_split": "before", "cannabis_check": "yes"},
    "es": {"court": "fue en Los Ángeles", "county": "Los Ángeles", "offense": "tenerla para vender",
           "conviction_date": "2009", "age_at_offense": "tenía 30", "level": "delito grave",
           "disqualifiers": "no, ninguna", "currently_serving": "no", "juvenile": "no",
           "amount": "sí", "year_split": "antes", "cannabis_check": "sí"},
}
KEYS = {"court": "1", "county": None, "offense": "3", "conviction_date": "2009",
        "age_at_offense": "3", "level": "1", "disqualifiers": "2", "currently_serving": "2",
        "juvenile": "2", "amount": "1", "year_split": "1", "cannabis_check": "1"}


@pytest.fixture()
def twilio_api():
    server = TwilioStandIn(AUTH_TOKEN).start()
    yield server
    server.stop()


@pytest.fixture()
def hotline(live, twilio_api):
    app, server = live(TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_API_BASE_URL=twilio_api.base_url)
    return app, server


def node(store, phone=PHONE):
    return (store.peek("voice", phone) or {}).get("node")


def to_verdict(call, store, lang, by="speech"):
    """Answer every question until the verdict; return the nodes asked."""
    asked = []
    for _ in range(15):
        at = node(store)
        if at == "another":
            return asked
        asked.append(at)
        keys = KEYS.get(at) if by == "digits" else None
        turn = call.press(keys) if keys else call.say(SPEECH[lang][at])
        assert turn.status == 200 and turn.listening, (at, turn.raw)
        assert "Sorry" not in turn.said and "Perdón" not in turn.said, (at, turn.said)
    raise AssertionError(f"no verdict; asked {asked}")



def called_and_said_fresno(server) -> Caller:
    """A call in English that has answered the first question: Fresno County."""
    call = Caller(server.url, PHONE)
    call.dial()
    call.press("1")
    call.say("Fresno")
    return call

def test_intro_offers_spanish_and_says_nothing_is_recorded(hotline):
    app, server = hotline
    turn = Caller(server.url, PHONE).dial()
    assert turn.status == 200 and turn.listening
    assert "Para español, oprima 2" in turn.said
    assert "not recorded" in turn.said
    assert turn.gather["language"] == "en-US" and turn.gather["numDigits"] == "1"


@pytest.mark.parametrize("lang,by", [("en", "speech"), ("es", "speech"), ("en", "digits"),
                                     ("es", "digits")])
def test_whole_check_by_voice_then_the_result_by_text(hotline, twilio_api, store, lang, by):
    app, server = hotline
    call = Caller(server.url, PHONE)
    call.dial()
    first = call.press("2" if lang == "es" else "1")
    expected = "es-MX" if lang == "es" else "en-US"
    assert first.gather["language"] == expected
    assert ("Oprima 1 para" if lang == "es" else "Press 1 for") in first.said
    assert first.gather["hints"].startswith("California")
    asked = to_verdict(call, store, lang, by)
    assert {"offense", "conviction_date"} <= set(asked)
    verdict = call.last
    assert verdict.slow, "the verdict is read slowly"
    assert LA_PHONE.search(verdict.said), verdict.said
    assert "(323)" not in verdict.said
    menu = ("Oprima 1 para escucharlo otra vez, 2 para recibirlo por mensaje de texto, 3 para "
            "revisar otra condena." if lang == "es" else
            "Press 1 to hear it again, 2 to get it by text message, 3 to check another "
            "conviction.")
    assert verdict.said.endswith(menu)
    assert verdict.gather["language"] == expected and verdict.gather["numDigits"] == "1"

    again = call.press("1") if by == "digits" else call.say("repeat" if lang == "en" else
                                                             "otra vez")
    assert LA_PHONE.search(again.said) and again.slow

    texted = call.press("2")
    assert twilio_api.sent and twilio_api.refused == 0
    message = twilio_api.sent[-1]
    assert message["To"] == PHONE and message["From"] == HOTLINE
    assert "(323) 760-6763" in message["Body"]  # the phone, as people dial it
    assert ("Clearline, su resultado" if lang == "es" else "Clearline, your result") in \
        message["Body"]
    assert texted.listening and texted.said.endswith(menu)

    another = call.press("3")
    assert another.listening and node(store) not in ("another", None)
    counts = stats.read(store.redis)
    assert counts["channels"]["voice"]["started"] == 1
    assert counts["channels"]["voice"]["completed"] == 1


def test_silence_twice_then_a_text_with_a_link_and_a_kind_goodbye(hotline, twilio_api, store):
    app, server = hotline
    call = Caller(server.url, PHONE)
    call.dial()
    call.press("1")
    first = call.silence()
    assert "didn't hear" in first.said
    assert "Which California county was your case in?" in first.said  # simpler words
    assert first.listening and "miss=1" in first.gather["action"]
    offer = call.silence()
    assert "text message with a link" in offer.said and offer.listening
    bye = call.press("1")
    assert bye.hangup and not bye.listening
    assert "We sent the text message" in bye.said and "Goodbye" in bye.said
    assert twilio_api.sent[-1]["To"] == PHONE
    assert "https://clearline.example.org/?lang=en" in twilio_api.sent[-1]["Body"]


def test_no_match_twice_in_spanish_then_silence_ends_kindly(hotline, twilio_api, store):
    app, server = hotline
    call = Caller(server.url, PHONE)
    call.dial()
    call.press("2")
    call.say("Fresno")
    call.say("tenerla")
    call.say("2010")
    assert node(store) in ("level", "age_at_offense")
    at = node(store)
    first = call.say("la bicicleta morada del vecino")
    assert "Perdón, no le entendí" in first.said and first.listening
    assert first.gather["language"] == "es-MX"
    simple = {"level": "¿Fue un delito grave? ¿O un delito menor?",
              "age_at_offense": "¿Qué edad tenía? Diga un número, como 25."}[at]
    assert simple in first.said
    offer = call.say("la bicicleta morada otra vez")
    assert "mensaje de texto con un enlace" in offer.said
    bye = call.silence()
    assert bye.hangup and "Adiós" in bye.said
    assert twilio_api.sent == []


def test_a_dropped_call_resumes_where_it_stopped(hotline, store):
    app, server = hotline
    called_and_said_fresno(server)
    at = node(store)
    again = Caller(server.url, PHONE).dial()  # a new call from the same number
    assert again.said.startswith("Welcome back") and again.listening
    assert node(store) == at
    assert stats.read(store.redis)["channels"]["voice"]["started"] == 1


def test_a_withheld_number_gets_its_own_call_session_and_no_text(hotline, twilio_api, store):
    app, server = hotline
    call = Caller(server.url, "anonymous")
    call.dial()
    call.press("1")
    call.silence()
    bye = call.silence()  # no text can be offered to a withheld number
    assert bye.hangup and "Goodbye" in bye.said
    assert twilio_api.sent == []


def test_forged_signatures_are_refused(hotline):
    app, server = hotline
    call = Caller(server.url, PHONE, token="not-the-token")
    assert call.dial().status == 403


def test_spanish_on_es_us_when_configured(live, store):
    app, server = live(VOICE_LANGUAGES="en-US,es-US")
    call = Caller(server.url, PHONE)
    call.dial()
    turn = call.press("2")
    assert turn.gather["language"] == "es-US"
    assert 'voice="Polly.Lupe"' in turn.raw and "¿Dónde fue el caso?" in turn.said


def test_redis_down_is_said_kindly_and_the_call_ends(live):
    app, server = live(REDIS_URL="redis://127.0.0.1:9/0")  # nothing listens there
    turn = Caller(server.url, PHONE).dial()
    assert turn.status == 200 and turn.hangup and not turn.listening
    assert "try again in a few minutes" in turn.said and "Intente de nuevo" in turn.said


def test_a_year_can_be_keyed_and_a_choice_takes_one_key(hotline, store):
    app, server = hotline
    call = Caller(server.url, PHONE)
    call.dial()
    court = call.press("1")
    assert court.gather["numDigits"] == "1"  # a choice: one key; a county: by speech
    call.say("Fresno")
    call.say("I had marijuana")
    assert node(store) == "conviction_date"
    assert "numDigits" not in call.last.gather  # a year: several keys
    call.press("2010")
    assert store.peek("voice", PHONE)["facts"]["conviction_date"] in (2010, "2010")


def test_county_names_are_speech_hints_where_a_county_is_asked(hotline):
    app, server = hotline
    call = Caller(server.url, PHONE)
    call.dial()
    court = call.press("1")
    assert "San Bernardino" in court.gather["hints"] and "Federal court" in court.gather["hints"]


def test_silence_twice_after_the_verdict_ends_kindly(hotline, twilio_api, store):
    app, server = hotline
    call = Caller(server.url, PHONE)
    call.dial()
    call.press("1")
    to_verdict(call, store, "en")
    again = call.silence()
    assert again.said.endswith("3 to check another conviction.") and again.listening
    bye = call.silence()
    assert bye.hangup and "Thank you for calling" in bye.said and twilio_api.sent == []


def test_keys_can_be_named_by_voice(hotline, twilio_api, store):
    app, server = hotline
    call = Caller(server.url, PHONE)
    call.dial()
    spanish = call.say("Dos.")
    assert spanish.gather["language"] == "es-MX"
    call.say("uno")  # California
    assert store.peek("voice", PHONE)["facts"].get("court") == "california"
    to_verdict(call, store, "es")
    texted = call.say("Número dos")
    assert twilio_api.sent and texted.said.startswith("Se lo enviamos")


def test_a_signed_post_without_a_call_is_a_clean_400(hotline):
    app, server = hotline
    call = Caller(server.url, PHONE)
    call.sid = ""
    turn = call._post("https://clearline.example.org/voice", {})
    assert turn.status == 400


def test_the_voice_session_has_the_ttl_and_is_erased_on_request(hotline, store):
    app, server = hotline
    call = called_and_said_fresno(server)
    redis = store.redis
    digest = store.person("voice", PHONE).digest
    keys = redis.keys(f"clearline:{{{digest}}}:*")
    assert keys and all(0 < redis.ttl(k) <= 30 * 86400 for k in keys)
    assert not any(PHONE.encode() in (k + (redis.hget(k, "st") or b"")) for k in keys
                   if redis.type(k) == b"hash")
    confirm = call.say("erase my answers")
    assert confirm.listening and "Erase everything" in confirm.said
    bye = call.press("1")
    assert bye.hangup and "We erased everything" in bye.said
    assert store.peek("voice", PHONE) is None or store.peek("voice", PHONE)["facts"] == {}


def test_stop_by_voice_ends_the_call_and_erases(hotline, store):
    app, server = hotline
    call = called_and_said_fresno(server)
    bye = call.say("stop")
    assert bye.hangup and "We won't call or text you" in bye.said
    assert store.peek("voice", PHONE) is None
    again = Caller(server.url, PHONE)
    again.dial()
    still = again.press("1")
    assert "Say start to use Clearline again" in still.said and still.listening
    back = again.say("start")
    assert back.listening and "Where was the case?" in back.said


@pytest.mark.parametrize(("lang", "words"), [
    ("en", "Calls to the hotline are never recorded"),
    ("es", "Las llamadas a la línea nunca se graban"),
])
def test_privacy_page_says_calls_are_transcribed_by_the_phone_company_not_kept(app, lang, words):
    html = app.test_client().get(f"/privacy?lang={lang}").get_data(as_text=True)
    assert words in html and "Twilio" in html


def test_after_the_goodbye_the_next_call_starts_a_new_check(hotline, store):
    app, server = hotline
    call = Caller(server.url, PHONE)
    call.dial()
    call.press("1")
    to_verdict(call, store, "en")
    bye = call.say("no")
    assert bye.hangup and node(store) == "end"
    again = Caller(server.url, PHONE)
    assert "Para español, oprima 2" in again.dial().said
    fresh = again.press("1")
    assert fresh.said.startswith("OK, let's start over.") and "Where was the case?" in fresh.said
    assert store.peek("voice", PHONE)["facts"] == {}


def test_without_an_account_sid_the_text_is_not_promised(live, twilio_api, store):
    app, server = live(TWILIO_API_BASE_URL=twilio_api.base_url)  # no TWILIO_ACCOUNT_SID
    call = Caller(server.url, PHONE)
    call.dial()
    call.press("1")
    call.silence()
    call.silence()
    bye = call.press("1")
    assert bye.hangup and "could not send a text message" in bye.said
    assert twilio_api.sent == []


def test_a_refused_text_is_said_kindly(live, store):
    from twilio_standin import TwilioStandIn

    wrong = TwilioStandIn("another-accounts-token").start()  # answers 401 to our token
    try:
        app, server = live(TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_API_BASE_URL=wrong.base_url)
        call = Caller(server.url, PHONE)
        call.dial()
        call.press("1")
        to_verdict(call, store, "en")
        turn = call.press("2")
        assert wrong.refused == 1 and turn.listening
        assert turn.said.startswith("Sorry, we could not send a text message")
    finally:
        wrong.stop()


def test_without_public_url_the_action_is_relative_and_its_query_is_signed(make_app):
    import xml.etree.ElementTree as ET

    from twilio_client import sign

    client = make_app(PUBLIC_URL="").test_client()
    form = {"CallSid": "CA" + "7" * 32, "From": PHONE, "To": HOTLINE}
    first = client.post("/voice", data=form,
                        headers={"X-Twilio-Signature": sign("http://localhost/voice", form)})
    action = ET.fromstring(first.data).find("Gather").get("action")
    assert action == "/voice?at=lang&miss=0"
    answer = dict(form, Digits="2")
    forged = client.post(action, data=answer,
                         headers={"X-Twilio-Signature": sign("http://localhost/voice", answer)})
    assert forged.status_code == 403  # the query string is part of what Twilio signs
    second = client.post(action, data=answer, headers={
        "X-Twilio-Signature": sign("http://localhost" + action, answer)})
    assert ET.fromstring(second.data).find("Gather").get("language") == "es-MX"
