"""WhatsApp end to end: Twilio-signed webhooks (From ``whatsapp:+1...``) to the running
app over HTTP, TwiML ``<Message>`` out, state and STOP in a real Redis."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import dialog_script
from twilio_client import HOTLINE, PUBLIC_URL, messages, new_sid, params, sign

from bot import stats

PHONE = "+14155550177"


class WhatsApp:
    """Sends WhatsApp messages to the app the way Twilio's WhatsApp sender posts them."""

    def __init__(self, base: str, token: str | None = None) -> None:
        self.base = base
        self.token = token

    def send(self, body: str, sender: str = PHONE) -> tuple[int, list[str]]:
        form = params(f"whatsapp:{sender}", body, new_sid())
        form["To"] = f"whatsapp:{HOTLINE}"
        form.update({"ProfileName": "Ana", "WaId": sender.lstrip("+")})
        url = PUBLIC_URL + "/whatsapp"
        signature = sign(url, form, self.token) if self.token else sign(url, form)
        request = urllib.request.Request(self.base + "/whatsapp",
                                         data=urllib.parse.urlencode(form).encode(),
                                         headers={"X-Twilio-Signature": signature})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, messages(response.read().decode())
        except urllib.error.HTTPError as exc:
            return exc.code, []


def test_whole_check_in_spanish_with_bold_headline_then_stop_and_start(live, store):
    app, server = live()
    wa = WhatsApp(server.url)
    status, first = wa.send("hola")
    assert status == 200 and first
    assert "¿Dónde fue el caso?" in first[-1] and "\n1 California" in first[-1]  # accents kept
    texts = {"court": "Los Ángeles", "offense": "tenerla para vender", "conviction_date": "2009",
             "cannabis_check": "sí", "age_at_offense": "3", "level": "delito grave",
             "disqualifiers": "2"}
    replies = []

    def send(text):
        code, bodies = wa.send(text)
        assert code == 200 and bodies, text
        assert all(len(b) <= 1000 for b in bodies), bodies
        replies.append(bodies)

    def node():
        return (store.peek("whatsapp", PHONE) or {}).get("node")

    for _ in range(12):
        if node() == dialog_script.VERDICT_NODE:
            break
        send(texts.get(node(), dialog_script.answer(node())))
    assert node() == "another"
    verdict = "\n\n".join(replies[-1])
    assert verdict.count("*") >= 2 and verdict.startswith("*"), verdict  # bold headline
    assert "(323) 760-6763" in verdict and "\n1 Sí" in verdict  # accents kept, numbered
    counts = stats.read(store.redis)
    assert counts["channels"]["whatsapp"]["completed"] == 1

    status, stopped = wa.send("STOP")
    assert status == 200 and len(stopped) == 1 and "START" in stopped[0]
    assert node() is None  # STOP erased the conversation
    assert wa.send("hola otra vez") == (200, [])  # nothing after STOP
    status, back = wa.send("START")
    assert status == 200 and back and "Clearline" in back[0]


def test_signature_and_sender_are_checked(live):
    app, server = live()
    assert WhatsApp(server.url, token="wrong-token").send("hi")[0] == 403
    assert WhatsApp(server.url).send("hi", sender="")[0] == 400


def test_share_kit_has_a_wa_me_link_and_qr_when_the_number_is_set(make_app):
    client = make_app(WHATSAPP_NUMBER="+1 (415) 555-0199").test_client()
    html = client.get("/share?code=fair25").get_data(as_text=True)
    assert "https://wa.me/14155550199?text=Hi%21%20Code%20FAIR25" in html
    assert "https://wa.me/14155550199?text=%C2%A1Hola%21%20C%C3%B3digo%20FAIR25" in html
    qr = client.get("/share/qr.svg?code=FAIR25&kind=whatsapp&lang=es")
    assert qr.status_code == 200 and qr.get_data(as_text=True).startswith("<svg")
    flyer = client.get("/share/flyer?code=FAIR25").get_data(as_text=True)
    assert "kind=whatsapp" in flyer
    off = make_app().test_client()
    assert "wa.me" not in off.get("/share?code=FAIR25").get_data(as_text=True)
    assert off.get("/share/qr.svg?code=FAIR25&kind=whatsapp&lang=en").status_code == 404


def test_a_code_from_the_wa_me_link_is_recorded(live, store):
    app, server = live()
    WhatsApp(server.url).send("Hi! Code FAIR25")
    assert store.peek("whatsapp", PHONE)["ref"] == "FAIR25"
    assert stats.read(store.redis)["refs"]["FAIR25"]["started"] == 1


def test_a_whatsapp_sender_pointed_at_the_sms_webhook_gets_whatsapp(app, store):
    client = app.test_client()
    form = params(f"whatsapp:{PHONE}", "hola", new_sid())
    form["To"] = f"whatsapp:{HOTLINE}"
    response = client.post("/sms", data=form,
                           headers={"X-Twilio-Signature": sign(PUBLIC_URL + "/sms", form)})
    assert response.status_code == 200
    assert "¿Dónde fue el caso?" in messages(response.get_data(as_text=True))[-1]
    assert store.peek("whatsapp", PHONE)["lang"] == "es"
    assert store.peek("sms", f"whatsapp:{PHONE}") is None
