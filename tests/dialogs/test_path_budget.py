"""The SMS budget of a whole check holds on every path, not only the typical ones.

The engine asks a question only while it and a verdict's required parts still fit in the
check's 14 segments; otherwise the careful answer comes now, with an offer to go on.
"""

import json
import random

import pytest

import rules
from dialogs import catalog, engine, sms, verdict
from dialogs.flow import MAIN
from dialogs.measures import checks_in, random_check

MOST_IN, MOST_SEG = MAIN.check_budget


def _run(texts: list[str], channel: str = "sms") -> list[tuple[dict, list[dict]]]:
    state, out = None, []
    for text in texts:
        state, replies = engine.step(state, {"text": text, "channel": channel})
        state, _, _ = engine.pop_signals(state)
        out.append((state, replies))
    return out


@pytest.mark.parametrize("first", ["hi", "hola"])
def test_random_complete_checks_keep_the_budget(first):
    rng = random.Random(11)
    runs = [random_check(rng, first, knows=n % 2 == 1) for n in range(150)]
    over = [r for r in runs if r["segments"] > MOST_SEG or r["received"] > MOST_IN]
    assert not over
    assert max(r["segments"] for r in runs) >= 12  # long paths were walked, not only short


LONG = ["california", "Grew it", "2016", "after", "yes", "dont_know", "felony"]


@pytest.mark.parametrize("first,go_on", [("hi", "Want to try a few more questions?"),
                                         ("hola", "¿Seguimos con otras preguntas?")])
def test_a_long_path_gets_the_careful_answer_in_budget_then_can_go_on(first, go_on):
    texts = [first, *LONG]
    state, replies = _run(texts)[-1]
    assert state["node"] == "early_more"  # no room for another question within 14 segments
    assert go_on in replies[-1]["text"]
    text = " ".join(r["text"] for r in replies)
    assert "CR-400" in text and "lawhelpca.org/topic/immigration" in text
    check = checks_in({"turns": [{"send": t} for t in texts]})[0]
    assert check["segments"] <= MOST_SEG and check["received"] <= MOST_IN
    state, replies = engine.step(state, {"text": "1", "channel": "sms"})  # yes, go on
    assert state["node"] == "age_at_offense" and state["facts"]["level"] == "felony"


def test_typical_checks_still_reach_the_full_verdict():
    for lang, paths in MAIN.budgets["typical"].items():
        for name, texts in paths.items():
            state, _ = _run(texts)[-1]
            assert state["node"] == "another", f"{lang} {name}"


def test_every_county_fits_the_verdict_floor(exploration):
    """Each reachable verdict shape, in every county (seeded sample): its required parts
    fit in ``verdict_floor`` (``bench/paths.py --every-county`` sweeps them all)."""
    shapes = {json.dumps({k: v for k, v in f.items() if k != "county"}, sort_keys=True): f
              for f in exploration.verdict_facts.values() if f.get("county")}
    sample = random.Random(3).sample(sorted(shapes), 40)
    node = MAIN.nodes["early_more"]  # the longer question after a verdict
    for key in sample:
        for county in rules.counties.county_names():
            facts = {**json.loads(key), "county": county}
            assessment = rules.assess(facts).to_dict()
            for lang in catalog.LANGS:
                labels = [catalog.text(lang, c.label) for c in node.choices]
                cost = verdict.required_segments(lang, assessment, county,
                                                 catalog.text(lang, node.ask), labels)
                assert cost <= MAIN.verdict_floor, (lang, facts)


def test_a_long_sms_question_is_counted_as_sent():
    state, replies = _run(["hi"])[-1]
    assert state["seg"] == sum(sms.segments(sms.render(r)) for r in replies)
