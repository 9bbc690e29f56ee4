"""The verdict: what happened, why, someone to call, the next step; the same in both languages."""

import re

import pytest

import rules
from dialogs import catalog, engine, sms, verdict

DONE = {"currently_serving": False, "prior_super_strike": False, "pc290_registrant": False,
        "prior_same_offense_convictions": 0, "sale_to_minor": False, "used_minor": False,
        "interstate": False, "environmental_harm": False}
CASES = {
    "cleared_la": ({"court": "california", "county": "Los Angeles", "offense": "11359",
                    "conviction_date": "2009", "age_at_offense": "21_plus", "level": "felony",
                    **DONE},
                   ["most likely dismissed", "cannabis line", "(323) 760-6763", "CR-400",
                    "BCIA 8016RR", "job forms", "lawhelpca.org/topic/immigration"]),
    "destroyed_fresno": ({"court": "california", "county": "Fresno", "offense": "possession",
                          "conviction_date": "2010", "level": "misdemeanor",
                          "age_at_offense": "21_plus"},
                         ["should already be destroyed", "court clerk in Fresno County",
                          "(559) 457-1801", "BCIA 8016RR"]),
    "cleared_humboldt": ({"court": "california", "county": "Humboldt", "offense": "cultivation",
                          "conviction_date": "1995", "age_at_offense": "21_plus",
                          "amount": "large", **DONE},
                         ["(707) 445-7256", "CR-400", "BCIA 8016RR"]),
    "statewide_only_san_diego": ({"court": "california", "county": "San Diego", "offense": "11359",
                                  "conviction_date": "2009", "age_at_offense": "21_plus", **DONE},
                                 ["San Diego County", "prop_64_faq", "BCIA 8016RR"]),
    "behind_imperial": ({"court": "california", "county": "Imperial", "offense": "cultivation",
                         "conviction_date": "1995", "age_at_offense": "21_plus",
                         "amount": "large", **DONE},
                        ["This county was behind", "immigration lawyer"]),
    "not_eligible_orange": ({"court": "california", "county": "Orange", "offense": "11359",
                             "conviction_date": "2009", "age_at_offense": "21_plus",
                             "currently_serving": False, "prior_super_strike": True},
                            ["To check or get help:", "CR-400", "must prove",
                             "You can still ask the court", "A court decides",
                             "immigration lawyer"]),
    "petition_sacramento": ({"court": "california", "county": "Sacramento", "offense": "11359",
                             "conviction_date": "2009", "age_at_offense": "21_plus",
                             **{**DONE, "currently_serving": True}},
                            ["CR-400", "courts.ca.gov/prop64.htm", "(916) 874-8881"]),
    "pending_2017": ({"court": "california", "county": "Fresno", "offense": "11359",
                      "conviction_date": "2017", "age_at_offense": "21_plus",
                      "currently_serving": False},
                     ["still open on November 9, 2016, it may still qualify", "immigration"]),
    "federal": ({"court": "federal", "offense": "possession"},
                ["does not cover", "Pardon Attorney", "justice.gov/pardon", "lawhelpca.org"]),
    "unknown_everything": ({}, ["can't tell for sure", "Public Defender in the county",
                                "BCIA 8016RR"]),
    # issue 14
    "concentrate_unknown": ({"court": "california", "county": "Fresno", "offense": "possession",
                             "conviction_date": "2010", "level": "misdemeanor"},
                            ["If it was not concentrate", "should already be destroyed"]),
    "behind_humboldt_may_have_been": ({"court": "california", "county": "Humboldt",
                                       "offense": "11359", "conviction_date": "2001",
                                       "age_at_offense": "21_plus", "currently_serving": False,
                                       "prior_super_strike": False, "pc290_registrant": False,
                                       "prior_same_offense_convictions": 0,
                                       "sale_to_minor": False, "used_minor": False},
                                      ["may have been dismissed or reduced", "Check first",
                                       "CR-400"]),
    "pc_label_said_back": ({"court": "california", "county": "Fresno", "offense": "11358 PC",
                            "conviction_date": "2001", "age_at_offense": "21_plus",
                            "currently_serving": False},
                           ["I read the PC number as the Health and Safety Code section"]),
    "noncitizen_immigration": ({"court": "california", "county": "Fresno", "offense": "11358",
                                "conviction_date": "2001", "noncitizen": True},
                               ["usually keeps immigration consequences", "vacating the plea",
                                "keep certified court papers"]),
}
ASK = {"ask_key": "q.another", "label_keys": ["c.yes", "c.no", "c.dont_know"]}
SECTION = re.compile(r"\b(?:HS|PC|WIC) \d|\b1136\d|\b1203\.")


def _compose(lang, facts):
    assessment = rules.assess(facts).to_dict()
    county = rules.counties.normalize_county(facts.get("county") or "")
    return assessment, verdict.compose(lang, assessment, county, **ASK)


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_verdict_says_what_why_who_to_call_and_fits_sms(name, lang):
    facts, words = CASES[name]
    assessment, messages = _compose(lang, facts)
    assert messages[-1].endswith(catalog.text(lang, "q.another"))
    text = " ".join(messages)
    if lang == "en":
        for word in words:
            assert word in text, f"{word!r} not in {text}"
    assert not SECTION.search(text), text  # no section numbers in SMS and Telegram text
    labels = [catalog.text(lang, k) for k in ASK["label_keys"]]
    for n, message in enumerate(messages):
        chosen = labels if n == len(messages) - 1 else []
        assert sms.segments(sms.body(*sms.cheapest(message, chosen))) <= 2
    for code in assessment["caveats"]:
        if code in verdict.REQUIRED_CAVEATS:  # required warnings are never dropped
            assert catalog.text(lang, f"v.caveat.{code}").split(" {")[0].split(":")[0] in text


def test_the_state_list_is_said_to_have_missed_cases_only_once():
    _, messages = _compose("en", CASES["cleared_la"][0])
    text = " ".join(messages)
    assert "LA found 58,000" in text and "The state's list missed some cases" not in text


@pytest.fixture(scope="module")
def reachable(exploration):
    """The facts of every verdict a conversation reaches (breadth first, then random walks),
    and a check in every county."""
    found = exploration.verdict_facts  # the same walk as `clearline flows check`
    facts = list(found.values())
    base = CASES["cleared_la"][0]
    facts += [{**base, "county": name} for name in rules.counties.county_names()]
    facts += [{**CASES["petition_sacramento"][0], "county": n} for n in ("Alpine", "San Diego")]
    return facts


PHONE = re.compile(r"\(\d{3}\) \d{3}-\d{4}")
FORM = re.compile(r"\b(?:CR-40\d|JV-74\d|BCIA \d{4}[A-Z]*)\b")
ADDRESS = re.compile(r"\b[a-z0-9.-]+\.(?:gov|org|com|us|net)(?:/[^\s)]*[^\s.,;:)])?")


def parity_tokens(text: str) -> dict[str, list[str]]:
    """The parts of a verdict that must match across languages: phones, forms, addresses."""
    return {"phones": sorted(PHONE.findall(text)), "forms": sorted(FORM.findall(text)),
            "addresses": sorted(a.lower() for a in ADDRESS.findall(text))}


def test_every_reachable_verdict_carries_the_same_parts_in_english_and_spanish(reachable):
    assert len(reachable) > 2000
    for facts in reachable:
        assessment = rules.assess(facts).to_dict()
        county = rules.counties.normalize_county(facts.get("county") or "")
        ask = verdict.Ask.make(None, None, ASK["ask_key"], ASK["label_keys"])
        for part in verdict.chosen_parts(assessment, county, ask):
            assert catalog.has("es", part.key), part.key  # worded in Spanish, not English
        texts = {lang: " ".join(verdict.compose(lang, assessment, county, **ASK))
                 for lang in catalog.LANGS}
        tokens = {lang: parity_tokens(text) for lang, text in texts.items()}
        assert tokens["en"] == tokens["es"], (facts, texts)


def test_every_verdict_to_confirm_ends_with_someone_to_call_and_the_state_record(reachable):
    for facts in reachable:
        assessment = rules.assess(facts).to_dict()
        if assessment["outcome"] not in verdict.CONFIRMABLE:
            continue
        county = rules.counties.normalize_county(facts.get("county") or "")
        text = " ".join(verdict.compose("en", assessment, county, **ASK))
        assert "BCIA 8016RR" in text and "waived" in text, text
        phone = rules.contacts.county_phone(county)
        if phone is not None:
            assert phone.phone in text, (county, text)
        elif county:
            assert f"{county} County" in text, text
        else:
            assert "in the county where it happened" in text, text


def test_why_gives_the_reasons_with_citations_and_my_result_the_phone_again():
    facts = CASES["cleared_la"][0]
    assessment = rules.assess(facts).to_dict()
    entry = verdict.summary_entry(facts, assessment)
    why = " ".join(verdict.why_messages("en", entry))
    assert why.startswith("Why:") and "(HS 11361.9)." in why
    result = " ".join(verdict.result_messages("es", entry))
    assert result.startswith("Su último resultado: Tener para vender, Los Angeles, 2009")
    assert "(323) 760-6763" in result and "BCIA 8016RR" in result


def test_federal_and_after_2016_answers_do_not_cite_what_they_do_not_rest_on():
    for facts in ({"court": "federal", "offense": "possession"},
                  {"court": "california", "offense": "possession", "conviction_date": 2019}):
        assessment = rules.assess(facts).to_dict()
        assert "HS 11361.8(a)" not in verdict.said_citations(assessment)


def test_web_verdict_has_the_citations_in_small_print_then_the_question():
    state = None
    answers = ["hi", "Los Angeles", "Had it to sell", "2009", "21 or older", "No, none"]
    for text in answers:
        state, replies = engine.step(state, {"text": text, "channel": "web"})
        state, _, _ = engine.pop_signals(state)
    cite = [r for r in replies if r.get("kind") == "cite"]
    assert len(cite) == 1 and "HS 11361.9" in cite[0]["text"] and "Checked 20" in cite[0]["text"]
    assert replies[-1]["text"] == catalog.text("en", "q.another") and replies[-1]["choices"]
    assert not any(SECTION.search(r["text"]) for r in replies if r.get("kind") != "cite")


def test_summary_lists_every_conviction_in_the_person_language():
    done = [{"o": "likely_destroyed", "r": "destroyed", "k": "possession", "c": "Fresno",
             "y": "2010"},
            {"o": "not_covered", "r": "none", "k": None, "c": None, "y": None}]
    assert verdict.summary("en", done) == [
        "Your results:\n1. Had it, Fresno, 2010: record likely destroyed\n"
        "2. A case: not covered by this law"]
    assert verdict.summary("es", done)[0].startswith(
        "Sus resultados:\n1. Tener marihuana, Fresno, 2010:")


def test_a_long_summary_is_split_into_messages_that_fit_two_sms():
    entry = {"o": "likely_cleared", "r": "dismissed_or_reduced", "k": "sale_transport",
             "c": "San Luis Obispo", "y": "2009"}
    messages = verdict.summary("es", [entry] * 5)
    assert len(messages) > 1
    assert all(sms.segments(sms.render({"text": m, "choices": []})) <= 2 for m in messages)
    assert "5. Vender, regalar o llevar, San Luis Obispo, 2009" in messages[-1]
