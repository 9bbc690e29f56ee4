"""What a call says (dialogs.voice) and how WhatsApp shows it (dialogs.whatsapp): pure."""

import io
import re

import pytest

from bot import cli
from dialogs import catalog, engine, voice, whatsapp

TYPED = re.compile(r"\b(type|tap|reply|escriba|toque|responda)\b", re.I)


@pytest.mark.parametrize(("text", "said"), [
    ("Call (323) 760-6763.", "Call 3 2 3, 7 6 0, 6 7 6 3."),
    ("Call 1-800-555-0100 now", "Call 8 0 0, 5 5 5, 0 1 0 0 now."),
    ("Free help: lawhelpca.org.", "Free help: lawhelpca dot org."),
    ("See www.courts.ca.gov/selfhelp", "See courts dot ca dot gov slash selfhelp."),
    ("Cleared (HS 11361.8).", "Cleared (Health and Safety Code 11361.8)."),
    ("Use form CR-400", "Use form C R 400."),
    ("Do any apply?\n- A\n- B", "Do any apply? A. B."),
    ("2+ earlier (HS 11359(c)(2))", "2 or more earlier (Health and Safety Code 11359 c 2)."),
])
def test_spoken_english(text, said):
    assert voice.spoken("en", text) == said


def test_spoken_spanish_reads_sites_and_codes_in_spanish():
    said = voice.spoken("es", "Ayuda: lawhelpca.org (PC 1203.4). Con 21+ años")
    assert said == "Ayuda: lawhelpca punto org (Código Penal 1203.4). Con 21 o más años."


def test_choices_are_offered_as_keys_and_words():
    choices = [{"id": "yes", "label": "Sí"}, {"id": "no", "label": "No"}]
    assert voice.choice_line("es", choices) == "Oprima 1 para Sí, 2 para No. O diga su respuesta."
    assert voice.hints([{"id": "x", "label": "Sold, gave or carried it"}]) == \
        "Sold gave or carried it"


@pytest.mark.parametrize("lang", catalog.LANGS)
def test_typical_checks_take_under_four_minutes_and_never_say_type(lang):
    seconds = voice.typical_seconds()[lang]
    assert seconds and all(60 < s <= voice.MAX_SECONDS for s in seconds.values()), seconds
    for texts in engine.FLOW.budgets["typical"][lang].values():
        prompts = voice.call(["2" if lang == "es" else "1", *texts[1:]], lang)
        assert prompts[-1].menu and prompts[-1].slow, "ends with the verdict, read slowly"
        assert all(p.lang == lang for p in prompts[1:])
        for p in prompts:
            assert not TYPED.search(p.text), p.text


def test_the_text_summary_keeps_phones_as_people_dial_them():
    state, _ = engine.step(None, {"text": "I sold weed in Los Angeles in 2009, I was 30",
                                  "channel": "voice"})
    for answer in ("felony", "no, none", "no"):
        if state["node"] == "another":
            break
        state, _ = engine.step(state, {"text": answer, "channel": "voice"})
    assert state["node"] == "another"
    body = voice.summary_sms(state)
    assert body.startswith("Clearline, your result:") and "(323) 760-6763" in body
    assert len(body) <= voice.MAX_SMS


def test_chat_shows_what_a_call_would_say():
    stdin = io.StringIO("Fresno\nI had weed\n2010\n2\n2\n3\n2\n2\n")
    stdout = io.StringIO()
    assert cli.main.__module__ == "bot.cli"
    from dialogs import tools

    assert tools.chat_loop(lang="es", stdin=stdin, stdout=stdout, channel="voice") == 0
    out = stdout.getvalue()
    assert "Para español, oprima 2" in out and "es-MX" in out
    assert "Oprima 1 para" in out and "slowly" in out


def test_chat_channel_voice_through_the_cli(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("1\n"))
    assert cli.main(["chat", "--channel", "voice"]) == 0
    out = capsys.readouterr().out
    assert "Press 1 for California" in out and "en-US" in out


def test_whatsapp_bolds_the_headline_numbers_choices_and_keeps_accents():
    head = catalog.text("es", "v.head.likely_cleared.dismissed")
    replies = [{"text": f"{head} Más texto.", "choices": [{"id": "yes", "label": "Sí"},
                                                          {"id": "no", "label": "No"}]}]
    body, = whatsapp.render_turn(replies)
    assert body.startswith(f"*{head}*") and "Más" in body and body.endswith("\n1 Sí\n2 No")
    long = whatsapp.render({"text": "palabra " * 400, "choices": []})
    assert len(long) >= 3 and all(len(b) <= whatsapp.MAX_CHARS for b in long)


def test_flows_check_prints_spoken_lengths_and_flags_a_long_call(monkeypatch):
    from dialogs import checks

    report = checks.Report()
    checks.check_voice(checks.FLOW, report)
    assert "Typical checks by voice" in report.text()
    assert re.search(r"es grow_felony_nineties +\d+ s \(\d\.\d min\)", report.text())
    assert report.ok
    monkeypatch.setattr(voice, "MAX_SECONDS", 60)
    slow = checks.Report()
    checks.check_voice(checks.FLOW, slow)
    assert not slow.ok and any("over 60 s" in e for e in slow.errors)


@pytest.mark.parametrize("lang", catalog.LANGS)
def test_every_question_can_be_asked_again_in_plain_spoken_words(lang):
    for node in engine.FLOW.nodes.values():
        if node.type != "question" or node.id == "another":
            continue
        again = voice.simpler(lang, node.id, [{"id": "x", "label": "X"}])
        said = again.text
        assert said.startswith(catalog.text(lang, "voice.sorry")), node.id
        assert len(again.said) == 3 and "{" not in said and "  " not in said, (node.id, said)
        assert not TYPED.search(said), (node.id, said)


@pytest.mark.parametrize(("speech", "key"), [
    ("One.", "1"), ("2", "2"), ("número tres", "3"), ("Nueve", "9"), ("2010", None),
    ("one more time", None), ("", None),
])
def test_a_key_named_by_voice(speech, key):
    assert voice.key_said(speech) == key


def test_sentences_pause_between_sentences_not_inside_abbreviations():
    text = ("Good news. Not a U.S. citizen? Talk to a lawyer. "
            "¿No tiene la ciudadanía de EE. UU.? Sí.")
    assert voice.sentences(text) == ["Good news.", "Not a U.S. citizen?", "Talk to a lawyer.",
                                     "¿No tiene la ciudadanía de EE. UU.?", "Sí."]
