"""Post SMS webhooks the way Twilio does: form fields, signed with twilio's own validator."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from twilio.request_validator import RequestValidator

AUTH_TOKEN = "test-twilio-auth-token-0123456789"
PUBLIC_URL = "https://clearline.example.org"
HOTLINE = "+15005550006"
_sids = itertools.count(1)


def new_sid() -> str:
    return f"SM{next(_sids):032x}"


def params(sender: str, body: str, sid: str | None = None) -> dict[str, str]:
    """The form fields Twilio posts for one incoming SMS."""
    return {
        "ToCountry": "US", "ToState": "CA", "SmsMessageSid": sid or "", "NumMedia": "0",
        "ToCity": "", "FromZip": "", "SmsSid": sid or "", "FromState": "CA",
        "SmsStatus": "received", "FromCity": "", "Body": body, "FromCountry": "US",
        "To": HOTLINE, "ToZip": "", "NumSegments": "1", "MessageSid": sid or "",
        "AccountSid": "AC" + "0" * 32, "From": sender, "ApiVersion": "2010-04-01",
    }


def sign(url: str, form: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, form)


def messages(twiml: str) -> list[str]:
    """The bodies of the <Message> elements of a TwiML answer."""
    root = ET.fromstring(twiml)
    assert root.tag == "Response"
    return [(m.text or "") for m in root.iter("Message")]


@dataclass
class SmsReply:
    status: int
    messages: list[str]
    raw: str

    @property
    def text(self) -> str:
        return "\n\n".join(self.messages)


class TwilioSender:
    """Sends signed SMS webhooks to a Flask test client (or anything with ``.post``)."""

    def __init__(self, client, url: str = PUBLIC_URL + "/sms", token: str = AUTH_TOKEN):
        self.client = client
        self.url = url
        self.token = token

    def send(self, sender: str, body: str, sid: str | None = None,
             signature: str | None = None) -> SmsReply:
        form = params(sender, body, sid or new_sid())
        headers = {"X-Twilio-Signature": signature if signature is not None
                   else sign(self.url, form, self.token)}
        response = self.client.post("/sms", data=form, headers=headers)
        raw = response.get_data(as_text=True)
        found = messages(raw) if response.status_code == 200 else []
        return SmsReply(response.status_code, found, raw)
