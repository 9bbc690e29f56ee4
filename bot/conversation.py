"""The one path every channel takes from an incoming message to the replies.

SMS, Telegram and the web chat all call ``handle_message``; it never raises for bad input
or a Redis outage, so a webhook can always answer cleanly.
"""

from __future__ import annotations

import logging
import random
import re
import time
import unicodedata
from dataclasses import dataclass, field

import redis

import dialogs
from bot import logs, stats
from bot.store import Group, SessionStore, Snapshot
from bot.wording import lang_of, notice

log = logging.getLogger("clearline.conversation")

MAX_ATTEMPTS = 40  # optimistic-locking retries before asking the person to resend
MAX_TEXT = 1600
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f]")
_REF = re.compile(r"^[A-Za-z0-9]{1,16}$")

@dataclass(frozen=True)
class Result:
    """What became of one incoming message.

    ``status``: "ok" (stepped and saved), "duplicate" (this message id was already
    handled; ``replies`` are what it got, when it was the person's last message: a
    channel that may be retried after a lost answer can send them again),
    "rate_limited" (over the limit: one notice, then silence),
    "opted_out" (the person sent STOP earlier: send nothing), "busy" (too many messages
    at once from this person: asked to resend), "throttled" (a new sender from a
    ``group``, e.g. an SMS number prefix, that brought too many at once: send nothing),
    "unavailable" (Redis is down: asked to try again), "error" (a bug: apologised).
    ``replies`` are ``{"text", "choices"}`` dicts to send, in order; ``effects`` are the
    dialog's signals ("erase", "opt_out", "opt_in"), already carried out; ``lang`` is
    the person's language ("en" | "es"); ``state`` is the dialog state as saved (status
    "ok" only; the web chat reads its progress and verdict from it).
    """

    status: str
    replies: list[dict] = field(default_factory=list)
    effects: tuple[str, ...] = ()
    lang: str = "en"
    round_trips: int = 0
    state: dict | None = field(default=None, compare=False, repr=False)


def clean_text(text: object, limit: int = MAX_TEXT) -> str:
    """Incoming text made safe to step on: a str, NFC, no control characters, capped."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = unicodedata.normalize("NFC", text)
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates
    return _CONTROL.sub("", text).strip()[:limit]


def clean_ref(ref: object) -> str | None:
    """A referral code if it looks like one (1-16 letters and digits), else None."""
    return ref if isinstance(ref, str) and _REF.match(ref) else None


def handle_message(
    store: SessionStore,
    *,
    channel: str,
    sender: str,
    text: str,
    message_id: str | None = None,
    ref: str | None = None,
    max_text: int = MAX_TEXT,
    group: str | None = None,
    lang_hint: str | None = None,
    groups: list[Group] | None = None,
) -> Result:
    """Handle one incoming message from ``sender`` on ``channel`` and return the replies.

    - ``channel``: "sms" | "telegram" | "web" | "voice" | "whatsapp"; ``sender``: the
      channel's id for the person (phone number, chat id, web session id); it is only ever
      stored as a keyed hash.
    - ``message_id``: the channel's id for this message (Twilio ``MessageSid``, Telegram
      ``update_id``, a web nonce); a repeat gets status "duplicate" and no replies.
    - ``ref``: a referral code (deep link, QR, the share kit's first SMS) recorded on a
      new session.
    - ``group``: what the sender belongs to for the SMS-pumping throttle (a number
      prefix); ``groups``: more such limits on new senders (a web client's address, all
      web clients); counted in ``begin``'s round trip, see ``SessionStore.begin``. STOP
      skips them and the rate limit (carrier rules).
    - ``lang_hint``: the language the channel says the person uses (Telegram's
      ``language_code``); a new conversation starts in Spanish for "es...".

    Steps: de-duplicate, rate-limit, load the state, ``dialogs.step``, save it with its
    TTL under optimistic locking (retrying on a concurrent write), then record the
    aggregate stats. Round trips to Redis for a message: 3 (begin, commit, stats), 2 when
    the step has no stat events; a concurrent write costs 2 more per retry.
    """
    text = clean_text(text, max_text)
    store.watch_memory()  # a round trip at most once a minute: warns well before full
    person = store.person(channel, sender)
    base: dict = {"text": text, "channel": channel}
    # The web page guards double taps itself (and its message ids), and a call takes one
    # answer a prompt: there "Yes" then "Yes" are two answers, both kept.
    if channel not in ("web", "voice"):
        base["time"] = time.time()
    if lang_hint:
        base["lang"] = lang_hint
    ref = clean_ref(ref)
    if ref:
        base["ref"] = ref
    trips = 0
    lang = "en"
    started = time.monotonic()
    # Carrier rules: STOP is honoured even when rate-limited or throttled, and nothing that
    # Redis could refuse when full (a counter) is written before it.
    stopping = dialogs.is_opt_out(text)
    try:
        for attempt in range(MAX_ATTEMPTS):
            first = attempt == 0 and not stopping
            snap = store.begin(person, message_id, count=first,
                               group=group if first else None, groups=groups if first else None)
            trips += snap.trips
            if snap.status == "duplicate":  # already handled: what it got, if we have it
                return _done(channel, Result("duplicate", snap.replies or [], round_trips=trips),
                             started)
            if snap.status == "throttled":  # a new sender from a group (number prefix, web
                # address) that brought too many new senders at once: no reply
                return _done(channel, Result(snap.status, round_trips=trips), started)
            if snap.status == "rate_limited":
                # the state is not read then: the channel's hint (Telegram) gives the language
                said = notice("rate_limited", lang_of(lang_hint))
                replies = [said] if snap.over_limit == 1 else []
                return _done(channel, Result("rate_limited", replies, round_trips=trips), started)
            lang = _lang(snap.state)
            stepped = _step(snap, base)
            if stepped is not None and snap.opted_out:  # back after STOP: not a new start
                stepped = (*stepped[:3], [e for e in stepped[3] if e.get("type") != "started"])
            if stepped is None:
                return _done(channel, Result("error", [notice("error", lang)], round_trips=trips),
                             started)
            state, replies, effects, events = stepped
            events = once_per_person(snap.state, events)
            lang = _lang(state) if state else lang
            if snap.opted_out and "opt_in" not in effects:
                # Stopped: nothing is saved; SMS gets no answer at all (carrier rules).
                quiet = [] if channel == "sms" else replies
                return _done(channel, Result("opted_out", quiet, lang=lang, round_trips=trips),
                             started)
            mode = _mode(effects, snap.opted_out)
            trips += 1
            saved = store.commit(person, snap, state, message_id=message_id, mode=mode,
                                 text=text, replies=replies, urgent=_urgent(state))
            if saved.duplicate:  # the same message, saved by another request at once
                return _done(channel, Result("duplicate", saved.replies or [], lang=lang,
                                             round_trips=trips), started)
            if saved.again:  # applied before (its answer was lost): never twice, same replies
                replies, events = saved.replies or replies, []
            if saved:
                if events:
                    trips += 1
                    _record_stats(store, channel, (state or {}).get("ref") or ref, events)
                result = Result("ok", replies, tuple(effects), lang, trips, state)
                return _done(channel, result, started, attempts=attempt + 1)
            time.sleep(random.uniform(0.001, 0.004) * min(attempt + 1, 10))
        return _done(channel, Result("busy", [notice("busy", lang)], lang=lang, round_trips=trips),
                     started, attempts=MAX_ATTEMPTS)
    except redis.RedisError as exc:
        logs.event(log, "redis_unavailable", logging.WARNING, channel=channel,
                   error=type(exc).__name__)
        known = lang if trips else None  # no state read: the language is not known
        return _done(channel, Result("unavailable", [notice("unavailable", known)], lang=lang,
                                     round_trips=trips), started)


def _step(snap: Snapshot, event: dict) -> tuple[dict, list[dict], list[str], list[dict]] | None:
    """Run the dialog engine; an unreadable old state starts over rather than failing."""
    for state in (snap.state, None) if snap.state is not None else (None,):
        try:
            new_state, replies = dialogs.step(state, dict(event))
            new_state, effects, events = dialogs.pop_signals(new_state)
        except Exception:
            log.exception("step_failed")
            continue
        return new_state, list(replies or []), list(effects or []), list(events or [])
    return None


def once_per_person(old: dict | None, events: list[dict]) -> list[dict]:
    """Keep the funnel a count of people: only a person's first check counts its questions.

    After a verdict (the state's ``ok``, kept through RESTART) or with a conviction already
    filed (``done``), a second check asks the same questions again; those "asked" events
    are dropped, unless the step starts a new conversation ("started").
    """
    old = old if isinstance(old, dict) else {}
    if not (old.get("ok") or old.get("done")):
        return events
    if any(isinstance(e, dict) and e.get("type") == "started" for e in events):
        return events
    return [e for e in events if not (isinstance(e, dict) and e.get("type") == "asked")]


def _mode(effects: list[str], opted_out: bool) -> str:
    if "erase" in effects:
        return "erase"
    if "opt_out" in effects:
        return "optout"
    if "opt_in" in effects or opted_out:
        return "optin"
    return "save"


def _urgent(state: dict | None) -> bool:
    """A save that must work even when Redis is full: the question confirming DELETE."""
    return (state or {}).get("node") == "confirm_delete"


def _lang(state: dict | None) -> str:
    lang = (state or {}).get("lang")
    return lang if lang in ("en", "es") else "en"


def _record_stats(store: SessionStore, channel: str, ref: str | None, events: list[dict]) -> None:
    """Count the step's aggregate events; a failure here never loses the person's reply."""
    try:
        store.count(stats.increments(channel=channel, ref=ref, events=events), store.stats_ttl)
    except Exception as exc:  # stats must never cost a person their reply
        logs.event(log, "stats_not_recorded", logging.WARNING, error=type(exc).__name__)


def _done(channel: str, result: Result, started: float, attempts: int = 1) -> Result:
    logs.event(
        log,
        "message",
        channel=channel,
        status=result.status,
        replies=len(result.replies),
        effects=list(result.effects),
        attempts=attempts,
        round_trips=result.round_trips,
        ms=round((time.monotonic() - started) * 1000, 1),
    )
    return result
