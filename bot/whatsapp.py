"""WhatsApp through Twilio's WhatsApp sender: ``POST /whatsapp``, answered with TwiML.

(A sender pointed at ``POST /sms`` instead is answered the same way: ``/sms`` hands
``whatsapp:`` senders to ``answer``.)

Twilio posts WhatsApp messages like SMS (``From``/``To`` as ``whatsapp:+1...``), signed
the same way; the signature is checked exactly as ``/sms`` checks it. The conversation
is the same (``handle_message`` on channel ``whatsapp``); the replies are rendered for
WhatsApp by ``dialogs.whatsapp``. After STOP nothing more is sent until START.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request

from bot import logs
from bot.conversation import handle_message, notice
from bot.share import ref_in_sms
from bot.twilio_webhook import signature_ok, twiml
from dialogs import whatsapp

bp = Blueprint("whatsapp", __name__)
log = logging.getLogger("clearline.whatsapp")
PREFIX = "whatsapp:"


@bp.post("/whatsapp")
def incoming_whatsapp() -> Response:
    """Twilio's webhook for an incoming WhatsApp message."""
    if not signature_ok():
        logs.event(log, "whatsapp_refused", logging.WARNING, reason="signature")
        return Response("Forbidden: bad or missing Twilio signature\n", 403, mimetype="text/plain")
    return answer(request.form.get("From", "").strip())


def answer(sender: str) -> Response:
    """Answer a signed WhatsApp webhook (also when a sender points it at ``/sms``)."""
    if not sender.startswith(PREFIX) or len(sender) <= len(PREFIX):
        return Response("Bad request: From must be whatsapp:+number\n", 400,
                        mimetype="text/plain")
    body = request.form.get("Body", "")
    result = handle_message(
        current_app.extensions["clearline"].store,
        channel="whatsapp",
        sender=sender.removeprefix(PREFIX),
        text=body,
        message_id=request.form.get("MessageSid") or None,
        ref=ref_in_sms(body),  # "Hi! Code CODE" from the share kit's wa.me link
        max_text=current_app.config["MAX_TEXT_LENGTH"],
    )
    replies = result.replies
    if result.status == "opted_out":
        replies = []  # after STOP: nothing until START
    elif result.status == "unavailable" and not replies:
        replies = [notice("unavailable", None)]
    return twiml(whatsapp.render_turn(replies))
