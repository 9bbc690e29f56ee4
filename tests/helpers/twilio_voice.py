"""Place calls to the app the way Twilio Programmable Voice does, over real HTTP.

Each request is a form post signed with twilio's own ``RequestValidator`` over the URL
Twilio would call (``PUBLIC_URL`` + the path and query the last TwiML named). Every
TwiML answer is parsed as XML and its ``<Gather>`` checked before the test sees it.
"""

from __future__ import annotations

import itertools
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from twilio_client import AUTH_TOKEN, HOTLINE, PUBLIC_URL, sign

_calls = itertools.count(1)
LANGUAGES = {"en-US", "es-MX", "es-US"}


@dataclass
class Turn:
    """One TwiML answer, parsed."""

    status: int
    raw: str
    said: str = ""
    gather: dict[str, str] = field(default_factory=dict)  # the Gather's attributes
    redirect: str = ""
    hangup: bool = False
    slow: bool = False  # some speech inside <prosody rate=...>

    @property
    def listening(self) -> bool:
        return bool(self.gather)


def parse(status: int, raw: str) -> Turn:
    """Parse and check a TwiML answer: valid XML, no <Record>, a well-formed Gather."""
    turn = Turn(status, raw)
    if status != 200:
        return turn
    root = ET.fromstring(raw)  # valid XML, or the test fails here
    assert root.tag == "Response", raw
    assert root.find(".//Record") is None, "nothing is recorded"
    turn.said = " ".join(" ".join("".join(say.itertext()).split()) for say in root.iter("Say"))
    turn.slow = root.find(".//prosody") is not None
    assert all("".join(say.itertext()).strip() for say in root.iter("Say")), "an empty <Say>"
    gathers = root.findall("Gather")
    assert len(gathers) <= 1, raw
    if gathers:
        g = gathers[0].attrib
        assert g["input"] == "dtmf speech", g
        assert g["language"] in LANGUAGES, g
        assert g["speechTimeout"] == "auto", g
        assert g["method"] == "POST", g
        assert g["action"].startswith(PUBLIC_URL + "/voice?"), g
        assert gathers[0].find("Say") is not None, "the question is said inside the Gather"
        turn.gather = dict(g)
        redirect = root.find("Redirect")
        assert redirect is not None, "silence must come back to us"
        turn.redirect = redirect.text or ""
    turn.hangup = root.find("Hangup") is not None
    assert turn.hangup or turn.gather, raw
    return turn


class Caller:
    """One phone calling the hotline of the app served at ``base``."""

    def __init__(self, base: str, caller: str, token: str = AUTH_TOKEN) -> None:
        self.base = base
        self.caller = caller
        self.token = token
        self.sid = ""
        self.last: Turn | None = None
        self.history: list[Turn] = []

    def _post(self, url: str, extra: dict[str, str]) -> Turn:
        form = {"AccountSid": "AC" + "0" * 32, "ApiVersion": "2010-04-01", "CallSid": self.sid,
                "CallStatus": "in-progress", "Direction": "inbound", "From": self.caller,
                "To": HOTLINE, "Caller": self.caller, "Called": HOTLINE, **extra}
        assert url.startswith(PUBLIC_URL)
        data = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(
            self.base + url[len(PUBLIC_URL):], data=data, method="POST",
            headers={"X-Twilio-Signature": sign(url, form, self.token)})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                turn = parse(response.status, response.read().decode())
        except urllib.error.HTTPError as exc:
            turn = parse(exc.code, exc.read().decode())
        self.last = turn
        self.history.append(turn)
        return turn

    def dial(self) -> Turn:
        self.sid = f"CA{next(_calls):032x}"
        return self._post(PUBLIC_URL + "/voice", {"CallStatus": "ringing"})

    def say(self, words: str, confidence: str = "0.92") -> Turn:
        assert self.last and self.last.listening
        return self._post(self.last.gather["action"],
                          {"SpeechResult": words, "Confidence": confidence})

    def press(self, keys: str) -> Turn:
        assert self.last and self.last.listening
        return self._post(self.last.gather["action"], {"Digits": keys})

    def silence(self) -> Turn:
        """Say nothing: Twilio runs the verb after the Gather (our Redirect)."""
        assert self.last and self.last.listening
        return self._post(self.last.redirect, {})
