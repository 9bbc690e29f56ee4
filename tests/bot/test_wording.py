"""One wording store: every word a person sees comes from the Babel catalogs.

``test_no_person_facing_literal_outside_the_catalogs`` reads ``bot/*.py`` (with ``ast``)
and ``bot/templates/*.html`` and fails naming the file and line of any literal that reads
as words for a person. In Python that is a string of three or more words (two when it ends
like a sentence, ``.``, ``?``, ``!``), outside what is not person-facing:

- docstrings, comments, dict keys and identifiers (no spaces), and strings that are code:
  regular expressions, Lua scripts, CSP and other header values, markup (a ``\\``, ``=``,
  ``|``, ``[``, a brace left after the ``{name}`` placeholders, ``(?``, a tag, ``'self'``);
- staff-only log text: the arguments of logger calls (``log.warning(...)``,
  ``current_app.logger.exception(...)``) and of ``logs.event(...)``;
- exception messages (``raise ...``), for developers;
- the command line, English only: ``bot/cli.py`` (the developer's ``--help`` and error
  lines), ``bot/serve.py`` (the operator's banner) and ``print(...)`` anywhere (the polling
  worker's lines on stderr); the words ``clearline chat`` prints come from the catalogs;
- the plain-text refusals of the webhooks (``Response(...)`` in ``bot/sms.py``,
  ``voice.py``, ``whatsapp.py``, ``telegram.py``: a forged or malformed request gets a 403
  or 400), which only Twilio's and Telegram's servers (or a forger) read.

In a template every text node outside ``{{ }}``, ``{% %}`` and ``{# #}`` with a word in it,
and every ``alt``, ``title``, ``aria-label``, ``placeholder`` and ``label`` attribute, is
person-facing; the only literal word allowed is the name "Clearline".
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from telegram_standin import TOKEN

from bot import telegram, wording
from bot.store import Saved, SessionStore
from dialogs import catalog
from dialogs.sms import render, segments

BOT = Path(telegram.__file__).parent
TEMPLATES = BOT / "templates"
COMMAND_LINE = {"cli.py", "serve.py"}
WEBHOOKS = {"sms.py", "voice.py", "whatsapp.py", "telegram.py"}
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
NAMES = {"Clearline"}  # a name, the same in every language

_PLACEHOLDER = re.compile(r"\{\w*\}")
_WORD = re.compile(r"[^\W\d_]{2,}")
_CODE = re.compile(r"[\\=|\[\]{}`]|\(\?|</?[A-Za-z][\w-]*[\s>/]|'(?:self|none)'")


def reads_as_words(text: str) -> bool:
    """True for a literal that reads as words for a person, not as code or a key."""
    text = _PLACEHOLDER.sub(" x ", text).strip()
    if " " not in text or _CODE.search(text):
        return False
    words = len(_WORD.findall(text))
    return words >= 3 or (words == 2 and text.endswith((".", "?", "!")))


def _dotted(node: ast.AST) -> str:
    """``current_app.logger.warning`` for an attribute chain, "" for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _not_for_people(call: ast.Call, filename: str) -> bool:
    """A call whose string arguments are not person-facing (see the module docstring)."""
    name = _dotted(call.func)
    head, _, method = name.rpartition(".")
    if method in LOG_METHODS and head.split(".")[-1] in ("log", "logger", "logging"):
        return True
    if name in ("logs.event", "print"):
        return True
    return filename in WEBHOOKS and name == "Response"


def python_literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of the person-facing-looking literals of one Python file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) \
                and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant):
            skipped.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.Raise) or (
                isinstance(node, ast.Call) and _not_for_people(node, path.name)):
            skipped.update(id(inner) for inner in ast.walk(node))
    return sorted((node.lineno, node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and id(node) not in skipped and reads_as_words(node.value))


# a block that fills an attribute (``{% block body_class %}admin{% endblock %}``) too
_JINJA = re.compile(r"\{%-?\s*block\s+\w*class\s*-?%\}.*?\{%-?\s*endblock\s*-?%\}"
                    r"|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_TAG = re.compile(r"<[^>]*>", re.S)
_SHOWN_ATTR = re.compile(r"""\s(?:alt|title|aria-label|placeholder|label)\s*=\s*"([^"]*)\"""")


def template_literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of literal words in one template: text nodes and shown attributes."""
    source = path.read_text(encoding="utf-8")
    blanked = _JINJA.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), source)  # keep lines
    found = []
    for tag in _TAG.finditer(blanked):
        for value in _SHOWN_ATTR.findall(tag.group()):
            if _WORD.search(value):
                found.append((blanked.count("\n", 0, tag.start()) + 1, value.strip()))
    text_only = _TAG.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), blanked)
    for number, line in enumerate(text_only.split("\n"), 1):
        words = [w for w in _WORD.findall(line) if w not in NAMES]
        if words:
            found.append((number, line.strip()))
    return found


def test_no_person_facing_literal_outside_the_catalogs():
    found = [f"bot/{path.name}:{line}: {text[:70]!r}"
             for path in sorted(BOT.glob("*.py")) if path.name not in COMMAND_LINE
             for line, text in python_literals(path)]
    found += [f"bot/templates/{path.name}:{line}: {text[:70]!r}"
              for path in sorted(TEMPLATES.glob("*.html"))
              for line, text in template_literals(path)]
    assert not found, "words for people belong in the catalogs (dialogs/locale):\n" + \
        "\n".join(found)


def test_the_scan_finds_what_it_is_for(tmp_path):
    source = tmp_path / "page.py"
    source.write_text(
        '"""A docstring is not read."""\n'
        'import logging\nlog = logging.getLogger("x")\n'
        'GREETING = "Welcome back, we kept your answers."\n'
        'log.warning("the transcript is out of reach")\n'
        'ERROR = {"en": "Try again."}\n'
        'CSP = "default-src \'none\'; script-src \'self\'"\n'
        'PATTERN = r"^(?:hi|hello) there (\\w+)$"\n'
        'raise ValueError("the facts must be a JSON object")\n')
    assert python_literals(source) == [(4, "Welcome back, we kept your answers."),
                                       (6, "Try again.")]
    page = tmp_path / "page.html"
    page.write_text('<p>{{ t.intro }}</p>\n<button aria-label="Close the menu">x</button>\n'
                    '<h2>Where people stop</h2>\n<p class="brand">Clearline</p>\n'
                    '{# a comment #}<p>{{ n }} · {{ m }}</p>\n')
    assert template_literals(page) == [(2, "Close the menu"), (3, "Where people stop")]


def test_every_page_word_the_templates_name_is_in_both_catalogs():
    named = set()
    for path in TEMPLATES.glob("*.html"):
        named |= set(re.findall(r"\b(?:t|k|ui\.en|ui\.es)\.([a-z_]\w*)",
                                path.read_text(encoding="utf-8")))
    named -= {"format", "get"}
    for lang in catalog.LANGS:
        assert sorted(named - set(wording.ui_strings()[lang])) == [], lang
        assert sorted(k for k in named if k != "switch_lang"
                      and not catalog.has(lang, f"ui.{k}")) == [], lang


# --- what people notice --------------------------------------------------------------------


def test_a_spanish_texter_kept_busy_is_asked_in_spanish_in_one_sms(sms, store, monkeypatch):
    phone = "+15105550177"
    assert sms.send(phone, "Hola").status == 200
    assert store.peek("sms", phone)["lang"] == "es"
    monkeypatch.setattr("bot.conversation.MAX_ATTEMPTS", 2)
    monkeypatch.setattr(SessionStore, "commit", lambda *a, **k: Saved(False))  # always lost
    reply = sms.send(phone, "Fresno")
    assert reply.messages == ["Recibimos varios mensajes a la vez. Envie su ultima respuesta "
                              "otra vez."]  # folded for SMS: one GSM-7 segment
    assert segments(reply.messages[0]) == 1
    assert reply.messages[0] == render(wording.notice("busy", "es"))


def test_the_web_notice_is_in_the_pages_language_with_its_accents(make_app):
    app = make_app(RATE_LIMIT_PER_MINUTE=1)
    client = app.test_client()
    page = client.get("/?lang=es").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    said = [client.post("/api/chat", json={"text": text}, headers={"X-CSRF-Token": token})
            for text in ("ESPANOL", "Fresno")]
    assert said[1].get_json()["notice"] is True
    assert said[1].get_json()["replies"][0]["text"] == (
        "Usted envía mensajes muy rápido. Espere un minuto y envíe su respuesta otra vez.")


def test_a_broken_page_post_is_answered_in_the_pages_language(make_app):
    client = make_app().test_client()
    client.get("/?lang=es")
    answer = client.post("/api/chat", data="hola", content_type="text/plain")
    assert answer.status_code == 415
    assert answer.get_json()["message"] == catalog.text("es", "ui.error_bad_request")
    assert answer.get_json()["message"].startswith("Esta página no pudo enviar")


def test_the_spanish_pages_show_spanish_chrome(make_app):
    client = make_app(ADMIN_TOKEN="a-long-admin-token-for-tests").test_client()
    chat = client.get("/?lang=es").get_data(as_text=True)
    assert '<html lang="es">' in chat
    assert "¿Ya anularon o bajaron su condena vieja por marihuana?" in chat and ">Enviar<" in chat
    assert "Type your answer" not in chat and "Escriba su respuesta" in chat
    privacy = client.get("/privacy").get_data(as_text=True)  # the cookie keeps Spanish
    assert "Qué guarda Clearline y por cuánto tiempo" in privacy
    login = client.get("/admin", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert "Entre para ver las cifras de impacto" in login.get_data(as_text=True)
    assert "Sign in" not in login.get_data(as_text=True)


def test_the_admin_page_speaks_english_or_spanish(make_app):
    token = "a-long-admin-token-for-tests"
    client = make_app(ADMIN_TOKEN=token).test_client()
    english = client.get("/admin?lang=en", headers={"Authorization": f"Bearer {token}"})
    assert "Where people stop" in english.get_data(as_text=True)
    spanish = client.get("/admin?lang=es", headers={"Authorization": f"Bearer {token}"})
    text = spanish.get_data(as_text=True)
    assert '<html lang="es">' in text and "Dónde abandonan las personas" in text
    assert "Todavía no hay datos." in text and "Where people stop" not in text


def test_telegram_sets_an_english_menu_and_a_spanish_one_for_language_code_es(
        telegram_app, standin):
    config = dict(telegram_app.config, PUBLIC_URL="https://clearline.example.org")
    assert telegram.set_webhook(config)
    assert set(standin.commands) == {"", "es"}  # the default menu, and Spanish for "es"
    default = {c["command"]: c["description"] for c in standin.commands[""]}
    spanish = {c["command"]: c["description"] for c in standin.commands["es"]}
    assert list(default) == list(spanish) == ["start", "help", "stop", "delete", "why",
                                              "result"]
    assert default["start"] == "Start a new check"
    assert spanish["start"] == "Empezar una revisión nueva"
    assert spanish["delete"] == "Borrar todo lo que nos dijo"


@pytest.mark.parametrize("kind", wording.NOTICE_KINDS)
def test_every_notice_is_worded_in_both_languages(kind):
    english, spanish = (wording.notice(kind, lang)["text"] for lang in ("en", "es"))
    assert english and spanish and english != spanish
    assert wording.notice(kind, None)["text"] == f"{english} / {spanish}"


def test_a_spanish_telegram_user_over_the_rate_limit_is_told_in_spanish(make_app, standin):
    app = make_app(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=standin.base_url,
                   RATE_LIMIT_PER_MINUTE=1)
    client, chat = app.test_client(), 987650077
    secret = {"X-Telegram-Bot-Api-Secret-Token": app.config["TELEGRAM_WEBHOOK_SECRET"]}
    for text in ("/start", "Fresno"):
        update = standin.make_update(chat, text, language_code="es-MX")
        answer = client.post("/telegram", json=update, headers=secret)
        standin.execute(answer.get_data())  # the method the webhook's answer carries
    assert standin.sent_to(chat)[-1]["text"] == (
        "Usted envía mensajes muy rápido. Espere un minuto y envíe su respuesta otra vez.")
