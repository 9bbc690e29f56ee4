"""The voice hotline through Twilio Programmable Voice: ``POST /voice``, answered in TwiML.

Twilio calls ``POST /voice`` when someone calls the hotline; every answer is a
``<Gather input="dtmf speech">`` whose action posts back here with ``at`` (what was asked:
``lang``, ``q``, ``menu``, ``offer``) and ``miss`` (silences and answers not understood in
a row) in its query string, so Twilio signs them with the rest of the URL. Signatures
are checked exactly as ``/sms`` checks them. What the person says (``SpeechResult``) or
presses (``Digits``) goes through ``handle_message`` on channel ``voice``, keyed by the
caller's number: the same TTL, erasure and stats as the other channels. Nothing is
recorded (no ``<Record>``); the words come from the catalogs through ``dialogs.voice``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import redis
from flask import Blueprint, Response, current_app, request
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import Gather, VoiceResponse

import dialogs
from bot import logs
from bot.conversation import Result, handle_message, notice
from bot.twilio_webhook import signature_ok
from dialogs import catalog
from dialogs import voice as words
from dialogs.voice import Prompt

bp = Blueprint("voice", __name__)
log = logging.getLogger("clearline.voice")

POLLY = {"en-US": "Polly.Joanna", "es-MX": "Polly.Mia", "es-US": "Polly.Lupe"}
SLOW_RATE = f"{round(words.SLOW * 100)}%"  # the verdict, read slowly
PAUSE = "500ms"  # between the verdict's sentences
LISTEN_SECONDS = 6  # Gather timeout: silence this long after the prompt is a silence
MAX_MISSES = 2  # silences or answers not understood in a row before the text offer
_NUMBER = re.compile(r"^\+?\d{8,15}$")
RESUMABLE_OFF = frozenset({None, "welcome", "erased", "stopped", "end"})


def language_codes() -> dict[str, str]:
    """``{"en": "en-US", "es": "es-MX"}`` from ``VOICE_LANGUAGES``."""
    codes = dict(words.LANG_CODES)
    for code in str(current_app.config.get("VOICE_LANGUAGES") or "").split(","):
        code = code.strip()
        if code[:2] in codes and code in POLLY:
            codes[code[:2]] = code
    return codes


# --- TwiML ------------------------------------------------------------------------


def action_url(at: str, miss: int = 0) -> str:
    """Where a Gather (or a silence's Redirect) posts back: this route, with ``at`` and
    ``miss`` in the query string (Twilio signs the URL with them)."""
    base = current_app.config.get("PUBLIC_URL") or request.script_root
    return f"{base}/voice?{urlencode({'at': at, 'miss': miss})}"


def _say(parent: Any, prompt: Prompt, code: str) -> None:
    voice = POLLY.get(code)
    if not prompt.text.strip():  # Twilio refuses an empty <Say>
        return
    if not prompt.slow:
        parent.say(prompt.text, voice=voice, language=code)
        return
    say = parent.say(voice=voice, language=code)
    for part in prompt.said:
        for sentence in words.sentences(part):
            say.prosody(sentence, rate=SLOW_RATE)
            say.break_(time=PAUSE)


def twiml(prompt: Prompt, at: str = "q", miss: int = 0) -> Response:
    """Say ``prompt``; then listen (a Gather posting to ``at``), or hang up if it ended."""
    code = language_codes().get(prompt.lang, words.LANG_CODES["en"])
    response = VoiceResponse()
    if prompt.ended:
        _say(response, prompt, code)
        response.hangup()
    else:
        gather = Gather(
            input="dtmf speech", action=action_url(at, miss), method="POST", language=code,
            hints=prompt.hints or None, speech_timeout="auto", timeout=LISTEN_SECONDS,
            num_digits=prompt.num_digits, action_on_empty_result=False,
        )
        _say(gather, prompt, code)
        response.append(gather)
        response.redirect(action_url(at, miss), method="POST")  # nothing heard: a silence
    return Response(str(response), mimetype="application/xml")


# --- sending a text message -------------------------------------------------------


def send_text(to: str, sender: str, body: str) -> bool:
    """Send ``body`` by SMS from the hotline (``sender``) through Twilio's REST API."""
    config = current_app.config
    sid, token = config.get("TWILIO_ACCOUNT_SID"), config.get("TWILIO_AUTH_TOKEN")
    if not (sid and token and _NUMBER.match(to) and _NUMBER.match(sender)):
        return False
    client = Client(sid, token, http_client=TwilioHttpClient(timeout=10))
    if config.get("TWILIO_API_BASE_URL"):
        client.api.base_url = config["TWILIO_API_BASE_URL"]
    try:
        client.messages.create(to=to, from_=sender, body=body)
    except (TwilioException, OSError) as exc:  # requests' errors are OSErrors
        logs.event(log, "text_not_sent", logging.WARNING, error=type(exc).__name__)
        return False
    logs.event(log, "text_sent")
    return True


# --- the call ---------------------------------------------------------------------


class Call:
    """One webhook request of a call: who calls, what they said, their session."""

    def __init__(self) -> None:
        form = request.form
        caller = form.get("From", "").strip()
        self.textable = bool(_NUMBER.match(caller))
        # A withheld number cannot key a person: that call's session is the call itself.
        self.sender = caller if self.textable else f"call:{form.get('CallSid', '')}"
        self.caller = caller
        self.hotline = form.get("To", "").strip()
        self.heard = (form.get("SpeechResult") or form.get("Digits") or "").strip()
        # A key pressed, or named ("one", "dos"): what menus and choices read.
        self.key = (form.get("Digits") or "").strip() or words.key_said(self.heard) or ""
        if self.key and len(self.key) == 1:
            self.heard = self.key
        self.store = current_app.extensions["clearline"].store
        self._state: tuple[dict | None] | None = None  # read once between messages

    def state(self) -> dict | None:
        """The caller's dialog state (one Redis read, kept until the next message)."""
        if self._state is None:
            self._state = (self.store.peek("voice", self.sender),)
        return self._state[0]

    def send(self, text: str) -> Result:
        result = handle_message(self.store, channel="voice", sender=self.sender, text=text,
                                max_text=current_app.config["MAX_TEXT_LENGTH"])
        # the state as saved comes back with the result: no second read
        self._state = (result.state,) if result.status == "ok" else None
        return result

    def step(self, text: str) -> tuple[Result, bool]:
        """Send ``text``; also whether the engine did not understand it (its miss count
        went up)."""
        before = (self.state() or {}).get("miss", 0)
        result = self.send(text)
        after = (self.state() or {}).get("miss", 0) if result.status == "ok" else 0
        return result, isinstance(after, int) and isinstance(before, int) and after > before


def _lang(state: dict | None) -> str:
    lang = (state or {}).get("lang")
    return lang if lang in catalog.LANGS else catalog.DEFAULT_LANG


def _picked(heard: str, key: str) -> bool:
    """``heard`` is one of the catalog's words for ``key`` (either language)."""
    said = " ".join(catalog.fold(re.sub(r"[^\w\s]", " ", heard)).split())
    return said in {catalog.fold(w) for w in catalog.words(key)}


def _command_word(key: str, lang: str) -> str:
    return catalog.text(lang, key).split("|")[0]


def _answer(call: Call, stepped: tuple[Result, bool], miss: int = 0) -> Response:
    """The TwiML for a step's result: the next question, the verdict, or goodbye."""
    result, missed = stepped
    if result.status in ("unavailable", "error"):
        replies = result.replies or [notice("unavailable", None)]
        return twiml(Prompt(result.lang, [r["text"] for r in replies], ended=True))
    state = call.state()
    lang = _lang(state) if state else result.lang
    node = (state or {}).get("node")
    if "erase" in result.effects or "opt_out" in result.effects:  # nothing left to peek at
        node = "erased" if "erase" in result.effects else "stopped"
    if result.status != "ok":  # busy or rate-limited: say so and listen again
        prompt = Prompt(lang, [r["text"] for r in result.replies])
        return twiml(prompt, "q", miss)
    if missed and node not in words.ENDED:  # not understood
        return _missed(call, state, miss + 1, unclear=True)
    prompt = words.prompt(lang, result.replies, node, words.takes_number(state))
    return twiml(prompt, "menu" if prompt.menu else "q")


def _missed(call: Call, state: dict | None, miss: int, *, unclear: bool = False) -> Response:
    """Silence or no match (``unclear``): once the question in simpler words, then offer
    a text."""
    lang = _lang(state)
    node = (state or {}).get("node")
    if miss >= MAX_MISSES:
        if not call.textable or node == "another":  # the result is already given
            return _goodbye(lang)
        prompt = Prompt(lang, [catalog.text(lang, "voice.offer_text")], menu=True,
                        listen_for=catalog.text(lang, "voice.offer_words").replace("|", ", "))
        return twiml(prompt, "offer", miss)
    sorry = catalog.text(lang, "voice.sorry_unclear" if unclear else "voice.sorry")
    if node == "another":
        return twiml(words.menu(lang, sorry), "menu", miss)
    if state is None or node in RESUMABLE_OFF:  # silence at the language menu
        prompt = words.intro()
        prompt.said = [catalog.text("en", "voice.sorry"), catalog.text("en", "voice.lang_menu")]
        return twiml(prompt, "lang", miss)
    prompt = words.simpler(lang, node, words.node_choices(state, lang), words.takes_number(state),
                           unclear=unclear)
    return twiml(prompt, "q", miss)


def _goodbye(lang: str, first: str | None = None) -> Response:
    said = [first] if first else []
    return twiml(Prompt(lang, [*said, catalog.text(lang, "voice.goodbye_kind")], ended=True))


def _start(call: Call) -> Response:
    """A new call: the welcome with the privacy line and the language menu, or, for a
    check under way (a dropped call), where it stopped."""
    state = call.state()
    if dialogs.is_valid(state) and state.get("node") not in RESUMABLE_OFF:
        lang = _lang(state)
        result = call.send(_command_word("cmd.repeat", lang))
        if result.status == "ok":
            resume = {"text": catalog.text(lang, "voice.resume"), "choices": []}
            result = replace(result, replies=[resume, *result.replies])
        return _answer(call, (result, False))
    return twiml(words.intro(), "lang")


def _language(call: Call) -> Response:
    """The answer to the language menu: the first message of the conversation."""
    text = words.LANG_PICK.get(call.key, call.heard)
    state = call.state()
    if dialogs.is_valid(state) and state.get("node") == "end":  # a finished check: anew
        restarted = call.step(_command_word("cmd.restart", _lang(state)))
        if words.LANG_OF_KEY.get(call.key) == _lang(state):  # already in that language
            return _answer(call, restarted)
    return _answer(call, call.step(text))


def _menu(call: Call, miss: int) -> Response:
    """After the verdict: 1 hear it again, 2 get it by text message, 3 check another."""
    state = call.state()
    lang = _lang(state)
    heard = call.heard
    if call.key == "1" or _picked(heard, "voice.menu_again"):
        return _answer(call, call.step(_command_word("cmd.repeat", lang)))
    if call.key == "2" or _picked(heard, "voice.menu_text"):
        sent = (state is not None and state.get("node") == "another" and call.textable
                and send_text(call.caller, call.hotline, words.summary_sms(state)))
        said = catalog.text(lang, "voice.menu_sent" if sent else "voice.text_failed")
        return twiml(words.menu(lang, said), "menu")
    if call.key == "3" or _picked(heard, "voice.menu_another"):
        return _answer(call, call.step("yes"))
    return _answer(call, call.step(heard), miss)


def _offer(call: Call) -> Response:
    """The answer to "shall we text you a link?": send it if asked, then end kindly."""
    lang = _lang(call.state())
    if call.key == "1" or _picked(call.heard, "voice.offer_words"):
        base = current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")
        body = catalog.text(lang, "voice.link_sms", url=f"{base}/?lang={lang}")
        sent = send_text(call.caller, call.hotline, body)
        return _goodbye(lang, catalog.text(lang, "voice.text_sent" if sent
                                           else "voice.text_failed"))
    return _goodbye(lang)


@bp.post("/voice")
def incoming_call() -> Response:
    """Twilio's webhook for a call: the call's start and every answer in it."""
    if not signature_ok():
        logs.event(log, "voice_refused", logging.WARNING, reason="signature")
        return Response("Forbidden: bad or missing Twilio signature\n", 403, mimetype="text/plain")
    if not request.form.get("CallSid", "").strip():  # Twilio always sends it
        return Response("Bad request: no CallSid\n", 400, mimetype="text/plain")
    at = request.args.get("at", "")
    try:
        miss = max(0, min(int(request.args.get("miss", "0")), MAX_MISSES))
    except ValueError:
        miss = 0
    try:
        return _route(Call(), at, miss)
    except redis.RedisError as exc:  # handle_message never raises; a peek may
        logs.event(log, "redis_unavailable", logging.WARNING, channel="voice",
                   error=type(exc).__name__)
        return spoken_notice("unavailable")


def spoken_notice(kind: str) -> Response:
    """A channel notice (Redis down, a bug), said in English then Spanish; then hang up."""
    codes = language_codes()
    response = VoiceResponse()
    for lang in ("en", "es"):
        response.say(notice(kind, lang)["text"], voice=POLLY.get(codes[lang]),
                     language=codes[lang])
    response.hangup()
    return Response(str(response), mimetype="application/xml")


def _route(call: Call, at: str, miss: int) -> Response:
    """What to answer, by what the last prompt asked (``at``)."""
    if not at:
        return _start(call)
    if at == "offer":
        return _offer(call)
    if not call.heard:
        return _missed(call, call.state(), miss + 1)
    if at == "lang":
        return _language(call)
    if at == "menu":
        return _menu(call, miss)
    return _answer(call, call.step(call.heard), miss)
