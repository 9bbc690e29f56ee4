"""What Twilio's webhooks share (SMS, WhatsApp, voice): the signature check and TwiML.

Every request must carry a valid ``X-Twilio-Signature`` (twilio's ``RequestValidator``,
keyed with ``TWILIO_AUTH_TOKEN``, or with ``TWILIO_SHARED_KEY`` for SharedKey-signed
webhooks) computed over the public URL Twilio called: ``PUBLIC_URL`` plus the path when
set, else the request URL as rebuilt by ``ProxyFix``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from flask import Response, current_app, request
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)
from twilio.twiml.messaging_response import MessagingResponse
from werkzeug.datastructures import MultiDict

# twilio's validator warns about an unknown signature algorithm by quoting the caller's
# X-Twilio-Webhooks-Signature-Settings header: anyone's words in our log. We refuse such
# requests (403) and log that ourselves.
logging.getLogger("twilio.request_validator").setLevel(logging.ERROR)


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


def twiml(bodies: list[str], status: int = 200) -> Response:
    """A TwiML answer that sends ``bodies`` (none: Twilio sends nothing)."""
    response = MessagingResponse()
    for body in bodies:
        response.message(body)
    return Response(str(response), status=status, mimetype="application/xml")
