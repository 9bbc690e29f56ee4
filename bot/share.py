"""The share kit for outreach workers: ``GET /share``.

A worker types an organisation or event code (2 to 16 letters or digits) and gets, in
English and Spanish: the web link (``/?ref=CODE``), the Telegram deep link
(``https://t.me/<TELEGRAM_BOT_USERNAME>?start=CODE``), an ``sms:`` link to ``HOTLINE_NUMBER``
with a first message carrying the code, a QR code for each (``/share/qr.svg``, drawn by the
``qrcode`` library) and a printable one-page flyer (``/share/flyer``); with ``WHATSAPP_NUMBER``
set, a ``https://wa.me/<number>?text=...`` link that opens WhatsApp with that first message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlencode

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from bot.chatview import national
from bot.shared import LANGS, config, organisation, page_lang, secure
from bot.wording import ui_strings
from dialogs.verdict import short_url

CODE_RE = re.compile(r"^[A-Z0-9]{2,16}$")
KINDS = ("web", "telegram", "sms", "whatsapp")

bp = Blueprint("share", __name__, template_folder="templates")
bp.after_request(secure)


# Linear: no two unbounded runs of the same characters touch (the greeting needs a
# separator after it), and the text is read only when it is short enough to be that message.
_SMS_REF_RE = re.compile(
    r"^\W{0,8}(?:(?:hi|hello|hola)\W{1,8})?(?:code|c[oó]digo)\W{0,8}([A-Za-z0-9]{2,16})\W{0,8}$",
    re.I,
)
MAX_REF_SMS = 64  # the share kit's first message is about 20 characters


def ref_in_sms(text: str | None) -> str | None:
    """The code in a share kit's first text message ("Hi! Code X", "¡Hola! Código X")."""
    if not text or len(text) > MAX_REF_SMS:
        return None
    match = _SMS_REF_RE.match(text)
    return normalize_code(match.group(1)) if match else None


def normalize_code(raw: str | None) -> str | None:
    """The code in upper case when it is 2 to 16 letters or digits; otherwise None."""
    code = (raw or "").strip().upper()
    return code if CODE_RE.match(code) else None


@dataclass(frozen=True)
class Link:
    """One way to reach Clearline, for one code and one language."""

    kind: str
    code: str
    lang: str
    url: str | None

    @property
    def shown(self) -> str:
        """The link as short, readable text (the full link stays in ``href`` and the QR)."""
        if not self.url:
            return ""
        if self.kind == "sms":
            return national(self.url[4:].split("?", 1)[0])
        if self.kind == "whatsapp":  # wa.me/14155550199, without the message's encoding
            return short_url(self.url.split("?", 1)[0])
        return short_url(self.url)

    def qr_url(self, download: bool = False) -> str | None:
        """Where the QR code of this link is drawn (None when the channel is off)."""
        if not self.url:
            return None
        extra = {"download": 1} if download else {}
        return url_for("share.qr", kind=self.kind, code=self.code, lang=self.lang, **extra)


_LOOPBACK = ("localhost", "127.0.0.1", "[::1]")


def public_base() -> str:
    """The public root URL: ``PUBLIC_URL`` when set; else the one the request came to, but
    only when a trusted proxy set it (``PROXY_HOPS``) or it is this machine (a local try);
    never a Host header anyone could send, printed on a flyer or a QR code."""
    public = config("PUBLIC_URL")
    if public:
        return public.rstrip("/")
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    if int(current_app.config.get("PROXY_HOPS") or 0) > 0 or host in _LOOPBACK:
        return request.url_root.rstrip("/")
    return "http://localhost"


def sms_body(code: str, lang: str) -> str:
    """The first text message that carries the code, in the person's language."""
    return ui_strings()[lang]["sms_body"].format(code=code)


def link_for(kind: str, code: str, lang: str) -> Link:
    """The link of one kind, or a Link with ``url=None`` when that channel is not set up."""
    if kind == "web":
        query = {"ref": code} if lang == "en" else {"ref": code, "lang": lang}
        return Link(kind, code, lang, f"{public_base()}/?{urlencode(query)}")
    if kind == "telegram":
        username = config("TELEGRAM_BOT_USERNAME").lstrip("@")
        url = f"https://t.me/{quote(username)}?start={code}" if username else None
        return Link(kind, code, lang, url)
    if kind == "whatsapp":  # wa.me wants the number's digits only, no "+"
        digits = re.sub(r"\D", "", config("WHATSAPP_NUMBER"))
        url = f"https://wa.me/{digits}?text={quote(sms_body(code, lang))}" if digits else None
        return Link(kind, code, lang, url)
    number = re.sub(r"[^\d+]", "", config("HOTLINE_NUMBER"))
    # "?&body=" is read by both Android ("?body=") and iOS ("&body=") messaging apps.
    url = f"sms:{number}?&body={quote(sms_body(code, lang))}" if number else None
    return Link(kind, code, lang, url)


def kit(code: str) -> dict[str, list[Link]]:
    """Every link, per language."""
    return {lang: [link_for(kind, code, lang) for kind in KINDS] for lang in LANGS}


@lru_cache(maxsize=256)
def qr_svg(data: str) -> bytes:
    """A QR code of ``data`` as a standalone SVG (white background, 4-module quiet zone)."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
        image_factory=qrcode.image.svg.SvgPathFillImage,
    )
    qr.add_data(data)
    qr.make(fit=True)
    svg = qr.make_image().to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg shape-rendering="crispEdges" ', 1).encode("utf-8")


@bp.get("/share")
def share_page() -> str:
    """The form, and the kit once a valid code is given."""
    lang = page_lang()
    raw = request.args.get("code")
    code = normalize_code(raw)
    invalid = raw is not None and code is None
    return render_template(
        "share.html",
        t=ui_strings()[lang],
        ui=ui_strings(),
        lang=lang,
        code=code,
        raw=raw or "",
        invalid=invalid,
        kit=kit(code) if code else None,
        hotline=config("HOTLINE_NUMBER"),
    ), (400 if invalid else 200)


@bp.get("/share/qr.svg")
def qr() -> Response:
    """The QR code of one link (``kind`` web, telegram or sms; ``code``; ``lang``)."""
    code = normalize_code(request.args.get("code"))
    kind = request.args.get("kind", "web")
    lang = request.args.get("lang", "en")
    if not code or kind not in KINDS or lang not in LANGS:
        abort(404)
    link = link_for(kind, code, lang)
    if not link.url:
        abort(404)
    response = Response(qr_svg(link.url), mimetype="image/svg+xml")
    # shared caches only when the link does not depend on the request's host
    shared = "public" if config("PUBLIC_URL") else "private"
    response.headers["Cache-Control"] = f"{shared}, max-age=3600"
    if request.args.get("download"):
        name = f"clearline-{code}-{kind}-{lang}.svg"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/share/flyer")
def flyer() -> str:
    """A one-page bilingual flyer for one code, made for printing."""
    lang = page_lang()
    code = normalize_code(request.args.get("code"))
    if not code:
        abort(404)
    number = config("HOTLINE_NUMBER")
    return render_template(
        "flyer.html",
        t=ui_strings()[lang],
        ui=ui_strings(),
        lang=lang,
        code=code,
        kit=kit(code),
        hotline=national(number),
        org=organisation(),
        sms={lg: sms_body(code, lg) for lg in LANGS},
    )
