"""SMS through Twilio: ``POST /sms``, Twilio's messaging webhook, answered with TwiML.

Every request must carry a valid ``X-Twilio-Signature`` (twilio's ``RequestValidator``,
keyed with ``TWILIO_AUTH_TOKEN``) computed over the public URL Twilio called: ``PUBLIC_URL``
plus the path when set, else the request URL as rebuilt by ``ProxyFix``. Anything else
gets 403. A repeated ``MessageSid`` (Twilio retries) gets an empty TwiML answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from flask import Blueprint, Response, current_app, request
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)
from twilio.twiml.messaging_response import MessagingResponse
from werkzeug.datastructures import MultiDict

from bot import logs
from bot.conversation import handle_message, notice
from bot.share import ref_in_sms

bp = Blueprint("sms", __name__)
log = logging.getLogger("clearline.sms")
# twilio's validator warns about an unknown signature algorithm by quoting the caller's
# X-Twilio-Webhooks-Signature-Settings header: anyone's words in our log. We refuse such
# requests (403) and log that ourselves.
logging.getLogger("twilio.request_validator").setLevel(logging.ERROR)

MAX_SMS_BODY = 1600  # Twilio's limit for one outgoing message (it splits into segments)
MAX_SEGMENTS = 2  # the SMS budget per message (issue 4): joined replies stay within it


def signed_url() -> str:
    """The URL Twilio signed: ``PUBLIC_URL`` + path and query, or the (proxied) request URL."""
    public = current_app.config.get("PUBLIC_URL")
    if public:
        path = request.full_path if request.query_string else request.path
        return public + path
    return request.url


class _Params:
    """The form as twilio's validator reads it: its ``getall`` (WebOb's name) is
    werkzeug's ``getlist``. Handed a werkzeug form, the validator looks for ``getall``
    first and pays for an AttributeError on each field, twice a request."""

    __slots__ = ("form",)

    def __init__(self, form: MultiDict) -> None:
        self.form = form

    def __iter__(self) -> Iterator[str]:
        return iter(self.form)

    def __len__(self) -> int:
        return len(self.form)

    def getall(self, name: str) -> list[str]:
        return self.form.getlist(name)


_SETTINGS = re.compile(r"^(key=[A-Za-z0-9_-]{1,128},)?algorithm=(HMAC_SHA1|HMAC_SHA256)$")


def signature_ok() -> bool:
    """True when the request carries a genuine Twilio signature.

    A signature-settings header is accepted only when a ``TWILIO_SHARED_KEY`` is set and
    the header names one of Twilio's algorithms exactly; anything else there is refused
    (an unknown value would make the validator fall back to the auth token's SHA-1)."""
    signature = request.headers.get(SIGNATURE_HEADER, "")
    settings = request.headers.get(SIGNATURE_SETTINGS_HEADER)
    secret = current_app.config.get("TWILIO_AUTH_TOKEN")
    if settings is not None:
        if not current_app.config.get("TWILIO_SHARED_KEY") or not _SETTINGS.match(settings):
            return False
        secret = current_app.config["TWILIO_SHARED_KEY"]
    if not secret or not signature:
        return False
    validator = RequestValidator(secret)
    return validator.validate(
        signed_url(), _Params(request.form), signature,
        algorithm=get_signature_algorithm(settings),
    )


def number_prefix(sender: str, digits: int) -> str | None:
    """The first ``digits`` digits of a phone number (``+14155550142`` -> ``1415555``),
    the group an SMS-pumping run shares; None for short codes and odd senders."""
    found = "".join(ch for ch in sender if ch.isdigit())
    if digits <= 0 or len(found) < digits + 3:
        return None
    return "sms:" + found[:digits]


def render(replies: list[dict]) -> list[str]:
    """SMS bodies for the replies: numbered choices, accents folded when it saves a
    segment; consecutive replies share a message while it stays within the SMS budget
    (2 segments), so no message costs more than that and short ones cost less."""
    from dialogs import render_sms
    from dialogs.sms import segments

    bodies: list[str] = []
    for reply in replies:
        part = render_sms(reply).strip()
        if not part:
            continue
        joined = f"{bodies[-1]}\n\n{part}" if bodies else ""
        if bodies and segments(joined) <= MAX_SEGMENTS:
            bodies[-1] = joined
        else:
            while len(part) > MAX_SMS_BODY:
                bodies.append(part[:MAX_SMS_BODY])
                part = part[MAX_SMS_BODY:]
            bodies.append(part)
    return bodies


def twiml(bodies: list[str], status: int = 200) -> Response:
    """A TwiML answer that sends ``bodies`` (none: Twilio sends nothing)."""
    response = MessagingResponse()
    for body in bodies:
        response.message(body)
    return Response(str(response), status=status, mimetype="application/xml")


@bp.post("/sms")
def incoming_sms() -> Response:
    """Twilio's webhook for an incoming SMS."""
    if not signature_ok():
        logs.event(log, "sms_refused", logging.WARNING, reason="signature")
        return Response("Forbidden: bad or missing Twilio signature\n", 403, mimetype="text/plain")
    sender = request.form.get("From", "").strip()
    if not sender:
        return Response("Bad request: no From\n", 400, mimetype="text/plain")
    if sender.startswith("whatsapp:"):  # a WhatsApp sender pointed at the SMS webhook
        from bot import whatsapp

        return whatsapp.answer(sender)
    store = current_app.extensions["clearline"].store
    result = handle_message(
        store,
        channel="sms",
        sender=sender,
        text=request.form.get("Body", ""),
        message_id=request.form.get("MessageSid") or None,
        ref=ref_in_sms(request.form.get("Body")),  # "HI CODE" from a share kit's sms: link
        max_text=current_app.config["MAX_TEXT_LENGTH"],
        group=number_prefix(sender, current_app.config.get("SMS_PUMP_PREFIX_DIGITS", 7)),
    )
    replies = result.replies if result.status != "duplicate" else []  # Twilio: once
    if result.status == "unavailable" and not replies:
        replies = [notice("unavailable", None)]
    return twiml(render(replies))
