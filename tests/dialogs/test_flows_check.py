"""`clearline flows check` passes, and its checks catch what they claim to catch."""

import io
from pathlib import Path

import pytest

from bot import cli
from dialogs import catalog, checks, tools
from rules import codes

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def report(exploration):
    """`clearline flows check`'s result, its walk through the flow the session's own."""

    def explore(flow=checks.FLOW):
        assert flow is checks.FLOW
        return exploration

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(checks, "explore", explore)
        return tools.check_flows()


def test_flows_check_passes(report):
    ok, text = report
    assert ok, text
    assert text.endswith("flows check: OK")


def test_report_prints_encodings_segments_budgets_and_reading_score(report):
    _, text = report
    assert "GSM-7" in text and "UCS-2" in text
    assert "welcome" in text and "q.offense" in text
    assert "Typical complete checks" in text
    for lang in ("en", "es"):
        assert f"{lang} sale_felony_los_angeles" in text
    assert "Flesch-Kincaid grade" in text
    assert "Policy:" in text


@pytest.mark.parametrize("lang", catalog.LANGS)
def test_every_rules_code_has_wording(lang):
    for group, prefix in ((codes.REASONS, "v.why."), (codes.CAVEATS, "v.caveat."),
                          (codes.OTHER_RELIEF, "v.relief."), (codes.OUTCOMES, "v.head.")):
        for code in group:
            assert catalog.has(lang, prefix + code), f"{lang}: no wording for {prefix}{code}"


def test_typical_checks_are_within_budget_in_both_languages():
    numbers = checks.typical_numbers()
    assert set(numbers) == {"en", "es"}
    for paths in numbers.values():
        for n in paths.values():
            assert n["verdicts"] == 1, "the path reaches a verdict"
            assert n["received"] <= 8
            assert n["segments"] <= 14 and n["joined_segments"] <= 14


def test_english_reads_at_about_sixth_grade():
    grade, _, _ = checks.reading_grade()
    assert grade <= 7.0


def test_a_missing_spanish_message_is_reported(monkeypatch):
    spanish = dict(catalog.CATALOGS["es"])
    spanish.pop("q.county")
    spanish["q.level"] = "¿Fue {grave}?"
    monkeypatch.setitem(catalog.CATALOGS, "es", spanish)
    report = checks.Report()
    checks.check_catalogs(checks.FLOW, report)
    assert any("'q.county' is missing" in e for e in report.errors)
    assert any("'q.level' placeholders differ" in e for e in report.errors)


def test_an_over_long_message_is_reported(monkeypatch):
    english = dict(catalog.CATALOGS["en"])
    english["q.juvenile"] = "Was the case in juvenile court? " * 12
    monkeypatch.setitem(catalog.CATALOGS, "en", english)
    monkeypatch.setattr(checks, "verdict_messages", dict)  # their check runs in the report
    report = checks.Report()
    checks.check_sms(checks.FLOW, report)
    assert any("'q.juvenile' takes" in e for e in report.errors)


def test_diagram_is_written(tmp_path):
    text = tools.write_diagrams(str(tmp_path))
    written = (tmp_path / "flow-check.mmd").read_text()
    assert text.strip() == written.strip()
    assert written.startswith("%%") and "flowchart TD" in written
    assert "n_assess -->|county missing| n_county" in written


def test_the_diagrams_in_docs_are_what_clearline_flows_diagram_writes(tmp_path, capsys):
    assert cli.main(["flows", "diagram", "--out", str(tmp_path)]) == 0
    fresh = {path.name: path.read_text() for path in tmp_path.glob("flow-*.mmd")}
    kept = {path.name: path.read_text() for path in DOCS.glob("flow-*.mmd")}
    assert fresh and fresh == kept, "run `clearline flows diagram` and commit docs/flow-*.mmd"
    assert "  County" not in "".join(fresh.values())  # a placeholder is named, not dropped
    assert "in [county] County too?" in fresh["flow-check.mmd"]


def test_chat_talks_in_the_terminal_and_exits_at_end_of_input():
    stdin = io.StringIO("hi\nFresno\n1\n2010\n2\n2\n35\n")
    stdout = io.StringIO()
    assert tools.chat_loop(lang=None, stdin=stdin, stdout=stdout) == 0
    out = stdout.getvalue()
    assert "1 California" in out and "should already be destroyed" in out


def test_chat_starts_from_the_persons_first_line():
    """Nothing is said before the first line, and a first "hola" is a greeting, not an answer."""
    stdout = io.StringIO()
    assert tools.chat_loop(lang=None, stdin=io.StringIO("hola\n"), stdout=stdout) == 0
    out = stdout.getvalue()
    assert out.startswith("> hola\n")
    assert catalog.text("es", "welcome") in out
    assert catalog.text("es", "e.not_understood") not in out
    assert tools.chat_loop(lang=None, stdin=io.StringIO(""), stdout=io.StringIO()) == 0


def test_chat_in_spanish_through_the_cli(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("hi\nDELETE\n1\n"))
    assert cli.main(["chat", "--lang", "es"]) == 0
    out = capsys.readouterr().out
    assert "¿Dónde fue el caso?" in out and "[erase]" in out


def test_flows_check_without_textstat_skips_the_reading_level_with_a_note(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "textstat", None)  # import raises ImportError
    report = checks.Report()
    checks.check_reading(checks.FLOW, report)
    assert report.ok
    assert "skipped: textstat is not installed" in report.text()


def test_help_text_has_no_markup(capsys):
    for argv in (["--help"], ["assess", "--help"], ["flows", "--help"], ["chat", "--help"]):
        with pytest.raises(SystemExit):
            cli.main(argv)
        out = capsys.readouterr().out
        assert "usage: clearline" in out and "``" not in out


def test_folding_check_catches_a_spanish_word_that_folding_changes(monkeypatch):
    monkeypatch.setitem(catalog.CATALOGS["es"], "v.head.unsure", "Puede que haya más casos.")
    report = checks.Report()
    checks.check_folding(report)
    assert any("'más'" in e and "mas (but)" in e for e in report.errors), report.errors


def test_page_notice_and_telegram_wording_is_checked_like_the_dialogs(monkeypatch):
    english, spanish = dict(catalog.CATALOGS["en"]), dict(catalog.CATALOGS["es"])
    spanish.pop("ui.heading")  # the Spanish page would show English
    spanish["ui.progress"] = "Pregunta {n} de unas {todas}"  # a placeholder the page never fills
    spanish["notice.busy"] = "Recibimos varios mensajes a la vez. " * 5  # 180 characters
    english["notice.unavailable"] = ("Sorry, we can't answer right now. Please try again in a "
                                     "few minutes, or later today.")  # 1 segment alone
    english["telegram.command.why"] = ""
    monkeypatch.setitem(catalog.CATALOGS, "en", english)
    monkeypatch.setitem(catalog.CATALOGS, "es", spanish)
    report = checks.Report()
    checks.check_catalogs(checks.FLOW, report)
    checks.check_around(report)
    errors = "\n".join(report.errors)
    assert "es: message 'ui.heading' is missing" in errors
    assert "es: 'ui.progress' placeholders differ from English" in errors
    assert "es: 'notice.busy' takes 2 SMS segments, not 1" in errors
    assert "en: 'telegram.command.why' must be 1 to 256 characters" in errors
    # Redis down: the language is unknown, so both go in one SMS, which must stay one segment
    assert "en: 'notice.unavailable'" not in errors
    assert "all: 'notice.unavailable' takes 2 SMS segments, not 1" in errors


def test_page_text_is_not_held_to_the_sms_folding_rule():
    report = checks.Report()
    checks.check_folding(report)
    assert catalog.text("es", "ui.privacy_erase_h") == "Cómo borrar"  # the web keeps accents
    assert not report.errors
