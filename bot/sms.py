"""SMS through Twilio: ``POST /sms``, Twilio's messaging webhook, answered with TwiML.

Every request must carry a valid Twilio signature (``bot.twilio_webhook.signature_ok``);
anything else gets 403. A repeated ``MessageSid`` (Twilio retries) gets an empty TwiML answer.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request

from bot import logs, whatsapp
from bot.conversation import handle_message, notice
from bot.share import ref_in_sms
from bot.twilio_webhook import signature_ok, twiml
from dialogs import render_sms
from dialogs.sms import segments

bp = Blueprint("sms", __name__)
log = logging.getLogger("clearline.sms")
MAX_SMS_BODY = 1600  # Twilio's limit for one outgoing message (it splits into segments)
MAX_SEGMENTS = 2  # the SMS budget per message (issue 4): joined replies stay within it


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
