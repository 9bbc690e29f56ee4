"""The verdict: what happened, why (with citations), how to confirm, what if not done."""

import pytest

import rules
from dialogs import catalog, sms, verdict

CASES = {
    "cleared_la": ({"court": "california", "county": "Los Angeles", "offense": "11359",
                    "conviction_date": "2009", "age_at_offense": "21_plus",
                    "currently_serving": False, "prior_super_strike": False,
                    "pc290_registrant": False, "prior_same_offense_convictions": 0,
                    "sale_to_minor": False, "used_minor": False, "level": "felony"},
                   ["most likely dismissed", "HS 11361.9", "(323) 760-6763", "CR-400",
                    "most background checks should not show it", "PC 1473.7",
                    "keep certified court papers"]),
    "destroyed_fresno": ({"court": "california", "county": "Fresno", "offense": "possession",
                          "conviction_date": "2010", "level": "misdemeanor",
                          "age_at_offense": "21_plus", "concentrate": False},
                         ["should already be destroyed", "HS 11361.5", "fresno.courts.ca.gov"]),
    "no_contact_office": ({"court": "california", "county": "Humboldt", "offense": "cultivation",
                           "conviction_date": "1995", "age_at_offense": "21_plus",
                           "currently_serving": False},
                          ["District Attorney in Humboldt County", "humboldt.courts.ca.gov",
                           "CR-400"]),
    "behind_imperial": ({"court": "california", "county": "Imperial", "offense": "cultivation",
                         "conviction_date": "1995", "age_at_offense": "21_plus",
                         "currently_serving": False, "prior_super_strike": False,
                         "pc290_registrant": False, "prior_same_offense_convictions": 0,
                         "sale_to_minor": False, "used_minor": False, "interstate": False,
                         "environmental_harm": False, "amount": "large"},
                        ["This county was behind", "immigration lawyer"]),
    "not_eligible_orange": ({"court": "california", "county": "Orange", "offense": "11359",
                             "conviction_date": "2009", "age_at_offense": "21_plus",
                             "currently_serving": False, "prior_super_strike": True},
                            ["To check or get help:", "Some counties did not check this",
                             "A court decides", "immigration lawyer"]),
    "pending_2017": ({"court": "california", "county": "Fresno", "offense": "11359",
                      "conviction_date": "2017", "age_at_offense": "21_plus",
                      "currently_serving": False},
                     ["still open on November 9, 2016, it may still qualify", "immigration"]),
    "federal": ({"court": "federal", "offense": "possession"},
                ["does not cover", "Pardon Attorney", "lawhelpca.org"]),
    "unknown_everything": ({}, ["can't tell for sure", "Public Defender in the county",
                                "state record"]),
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
                               ["usually keeps immigration consequences", "PC 1473.7",
                                "keep certified court papers"]),
}


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_verdict_says_what_why_how_to_confirm_and_fits_sms(name, lang):
    facts, words = CASES[name]
    assessment = rules.assess(facts).to_dict()
    county = rules.counties.normalize_county(facts.get("county") or "")
    messages = verdict.compose(lang, assessment, county, ask="ASK?", labels=["Yes", "No"])
    assert messages[-1].endswith("ASK?")
    text = " ".join(messages)
    if lang == "en":
        for word in words:
            assert word in text, f"{word!r} not in {text}"
    assert any(c in text for c in assessment["citations"])
    for n, message in enumerate(messages):
        labels = ["Yes", "No"] if n == len(messages) - 1 else []
        assert sms.segments(sms.body(*sms.cheapest(message, labels))) <= 2
    for code in assessment["caveats"]:
        if code in verdict.REQUIRED_CAVEATS:  # required warnings are never dropped
            assert catalog.text(lang, f"v.caveat.{code}") in text


def test_summary_lists_every_conviction_in_the_person_language():
    done = [{"o": "likely_destroyed", "r": "destroyed", "k": "possession", "c": "Fresno",
             "y": "2010"},
            {"o": "not_covered", "r": "none", "k": None, "c": None, "y": None}]
    assert verdict.summary("en", done) == [
        "Your results:\n1. Had it, Fresno, 2010: record likely destroyed\n"
        "2. A case: not covered by this law"]
    assert verdict.summary("es", done)[0].startswith("Sus resultados:\n1. Tenerla, Fresno, 2010:")


def test_a_long_summary_is_split_into_messages_that_fit_two_sms():
    entry = {"o": "likely_cleared", "r": "dismissed_or_reduced", "k": "sale_transport",
             "c": "San Luis Obispo", "y": "2009"}
    messages = verdict.summary("es", [entry] * 5)
    assert len(messages) > 1
    assert all(sms.segments(sms.render({"text": m, "choices": []})) <= 2 for m in messages)
    assert "5. Venderla, regalarla o llevarla, San Luis Obispo, 2009" in messages[-1]
