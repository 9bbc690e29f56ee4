"""Table-driven cases for rules.assess: each names the provision or source it checks.

`today` is fixed at 2026-11-25 unless a case says otherwise.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

import rules

TODAY = date(2026, 11, 25)

CLEAN = {  # a finished, undisqualified adult 11359 felony from 2009
    "court": "california",
    "offense": "11359",
    "level": "felony",
    "conviction_date": 2009,
    "age_at_offense": "21_plus",
    "currently_serving": False,
    "prior_super_strike": False,
    "pc290_registrant": False,
    "prior_same_offense_convictions": 0,
    "sale_to_minor": False,
    "interstate": False,
    "amount": "small",
}


def f(**changes: Any) -> dict[str, Any]:
    """CLEAN with some facts changed (None removes a key)."""
    facts = {**CLEAN, **changes}
    return {k: v for k, v in facts.items() if v is not None}


# (id, facts, expected, source). expected keys: outcome, relief, cites (subset),
# reasons (subset of codes), missing (exact list), asks (subset of missing),
# caveats (subset), no_caveats, other (subset of other_relief codes), confirm0 (first
# step kind), court (name of the court step), today.
CASES: list[tuple[str, dict, dict, str]] = [
    # --- Step 1-2: court scope ---
    ("federal possession: pardon", {"court": "federal", "offense": "possession"},
     {"outcome": "not_covered", "relief": "none", "other": ["federal_pardon_2022", "federal_pardon_2023"],
      "caveats": ["pardon_does_not_expunge"], "missing": []}, "law.md s6: proclamations 2022, 2023"),
    ("federal sale: no pardon", {"court": "federal", "offense": "11360"},
     {"outcome": "not_covered", "no_other": ["federal_pardon_2022"]}, "law.md s6: possession only"),
    ("federal unknown offense: pardon may apply", {"court": "federal"},
     {"outcome": "not_covered", "other": ["federal_pardon_2022"]}, "law.md s9 step 1"),
    ("other state", f(court="other_state"), {"outcome": "not_covered", "reasons": ["other_jurisdiction"]},
     "law.md s9 step 2"),
    ("military", f(court="military"), {"outcome": "not_covered", "reasons": ["other_jurisdiction"]},
     "law.md s9 step 2"),
    ("court unknown: go on as California", f(court=None, county="Fresno"),
     {"outcome": "likely_cleared", "asks": ["court"], "caveats": ["court_assumed_california"]},
     "law.md s9 step 3"),
    ("court 'unknown' string is unknown", f(court="unknown", county="Fresno"),
     {"outcome": "likely_cleared", "asks": ["court"]}, "issue 3 facts: 'unknown' means unknown"),
    # --- Step 4: offense scope ---
    ("PC 148 not covered", f(offense="PC 148"),
     {"outcome": "not_covered", "reasons": ["offense_not_covered"], "cites": ["HS 11361.8(a)"],
      "other": ["pc_1203_4", "pc_1203_425"], "missing": []}, "HS 11361.8(a): 11357-11360 only"),
    ("HS 11350 other drug: Prop 47 pointer", f(offense="HS 11350"),
     {"outcome": "not_covered", "other": ["prop_47"]}, "law.md s5: Prop 47 (PC 1170.18)"),
    ("HS 11362.3 public use not covered", f(offense="11362.3"), {"outcome": "not_covered"},
     "law.md s9 step 4: public use"),
    ("HS 11357.5 synthetic not covered", f(offense="11357.5"), {"outcome": "not_covered"},
     "HS 11361.8(a): sections 11357-11360 only"),
    ("plain 'other' not covered", f(offense="other"), {"outcome": "not_covered"}, "law.md s9 step 4"),
    ("former HS 11530: unsure", f(offense="HS 11530", conviction_date=1970),
     {"outcome": "unsure", "reasons": ["pre_1973_section"], "other": ["destruction_on_request"]},
     "law.md s9 step 4: pre-1973 numbers"),
    ("former HS 11531: unsure", f(offense="11531", conviction_date=1968), {"outcome": "unsure"},
     "law.md s9 step 4: pre-1973 numbers"),
    ("offense unknown: unsure, conditional, ask offense first after court", f(offense=None),
     {"outcome": "unsure", "relief": "unknown", "reasons": ["offense_unknown", "if_cannabis_offense"],
      "asks": ["offense"]}, "law.md s9 step 4: unknown"),
    ("everything unknown: unsure with questions and confirm steps", {},
     {"outcome": "unsure", "missing": ["court", "offense", "conviction_date", "county", "level",
                                        "age_at_offense", "juvenile", "currently_serving"],
      "confirm0": "county_public_defender"}, "issue 4: don't know to everything"),
    ("attempt 664/11360 treated as 11360", f(offense="664/11360", county="Fresno"),
     {"outcome": "likely_cleared", "caveats": ["attempt"]}, "prior-art.md s2: attempts matched"),
    # --- Step 5: 9 Nov 2016 ---
    ("convicted on 9 Nov 2016, act after: not covered", f(conviction_date="2016-11-09",
                                                          offense_before_prop64=False),
     {"outcome": "not_covered", "reasons": ["after_prop64"]}, "law.md: 9 Nov 2016 Prop 64 in effect"),
    ("convicted 8 Nov 2016: covered", f(conviction_date="2016-11-08", county="Fresno"),
     {"outcome": "likely_cleared", "no_caveats": ["date_near_prop64"]}, "law.md: 9 Nov 2016 line"),
    ("2016 year only: near the line", f(conviction_date="2016", county="Fresno"),
     {"outcome": "likely_cleared", "caveats": ["date_near_prop64"]}, "law.md s9 step 5"),
    ("2016-10: before the line", f(conviction_date="2016-10", county="Fresno"),
     {"outcome": "likely_cleared", "no_caveats": ["date_near_prop64"]}, "law.md s9 step 5"),
    ("2017, act date unknown: unsure, ask", f(conviction_date=2017),
     {"outcome": "unsure", "relief": "unknown", "reasons": ["conduct_date_unknown"],
      "asks": ["offense_before_prop64"], "caveats": ["pending_case_check"]},
     "issue 14 item 3; HS 11361.8(a), (e): law at the time of the offense"),
    ("2020: not covered, expungement instead", f(conviction_date="2020-03-01"),
     {"outcome": "not_covered", "no_caveats": ["pending_case_check"], "other": ["pc_1203_4"]},
     "law.md s9 step 5"),
    ("date unknown: ask, caveat", f(conviction_date=None, county="Fresno"),
     {"outcome": "likely_cleared", "asks": ["conviction_date"], "caveats": ["if_before_nov_2016"]},
     "law.md s9 step 5: unknown"),
    # --- Step 6: juvenile ---
    ("juvenile adjudication: JV-744 petition", f(juvenile=True, age_at_offense="under_18"),
     {"outcome": "petition", "relief": "dismissed_or_reduced", "cites": ["HS 11361.8(m)"],
      "confirm0": "county_public_defender"}, "HS 11361.8(m)"),
    ("under 18, court unknown: ask juvenile", f(age_at_offense="under_18", county="Fresno"),
     {"asks": ["juvenile"]}, "law.md s9 step 6"),
    ("under 18 tried as adult: adult path, reduced floor", f(age_at_offense="under_18", juvenile=False,
                                                             county="Alameda"),
     {"outcome": "likely_cleared", "relief": "reduced"}, "law.md s9 step 6: tried as adult"),
    # --- Step 7: destruction ---
    ("possession misdemeanor 1999: destroyed", f(offense="possession", level="misdemeanor",
                                                  conviction_date=1999, concentrate=False),
     {"outcome": "likely_destroyed", "relief": "destroyed", "cites": ["HS 11361.5(a)", "HS 11361.7"],
      "confirm0": "court", "caveats": ["record_may_still_show"]}, "HS 11361.5(a), 11361.7"),
    ("11357(b) infraction 2012: destroyed", f(offense="HS 11357(b)", level="infraction",
                                               conviction_date=2012),
     {"outcome": "likely_destroyed"}, "HS 11361.5(a): 11357(b)"),
    ("11357(c) misdemeanor: destroyed", f(offense="H&S 11357(c)", level="misdemeanor"),
     {"outcome": "likely_destroyed"}, "HS 11361.5(a): 11357(c)"),
    ("11360(b) giving away small: destroyed", f(offense="11360(b)", level="misdemeanor"),
     {"outcome": "likely_destroyed"}, "HS 11361.5(a): 11360(b)"),
    ("11357(a) concentrate misdemeanor: not destroyed", f(offense="11357(a)", level="misdemeanor",
                                                           county="Fresno"),
     {"outcome": "likely_cleared"}, "law.md s9 step 7: not concentrate"),
    ("possession misdemeanor 1975: unsure, destruction on request", f(offense="possession", level="misdemeanor",
                                                                      conviction_date=1975, county="Fresno"),
     {"outcome": "unsure", "reasons": ["before_1976_destruction_on_request"],
      "other": ["destruction_on_request"], "caveats": ["may_have_been_dismissed"]},
     "law.md s9 step 7: before 1976 unsure; HS 11361.5(b)"),
    ("possession misdemeanor 1976: destroyed", f(offense="possession", level="misdemeanor",
                                                  conviction_date="1976-01-01", concentrate=False),
     {"outcome": "likely_destroyed"}, "HS 11361.5: from 1 Jan 1976"),
    ("possession misdemeanor within two years (today 2016-06-01): not yet destroyed",
     f(offense="possession", level="misdemeanor", conviction_date="2015-06-01"),
     {"outcome": "petition", "today": date(2016, 6, 1)}, "HS 11361.5(a): two years"),
    ("possession, level unknown: ask level", f(offense="possession", level=None, county="Fresno"),
     {"asks": ["level"]}, "law.md s9 step 7"),
    ("11359 misdemeanor: not a destruction offense", f(level="misdemeanor", county="Fresno"),
     {"outcome": "likely_cleared", "caveats": ["misdemeanor_relief_varies"]}, "HS 11361.5(a) list"),
    # --- Step 9: disqualifiers ---
    ("11358 prior super strike", f(offense="11358", prior_super_strike=True),
     {"outcome": "not_eligible", "relief": "none", "cites": ["HS 11358(d)(1)", "PC 667(e)(2)(C)(iv)"],
      "caveats": ["court_decides", "bulk_review_may_not_have_screened"],
      "other": ["petition_cr400_disqualifier", "pc_1203_4", "pc_1203_41", "pc_1203_425"],
      "no_other": ["pc_17b"]}, "HS 11358(d)(1); issue 14 item 10"),
    ("11359 prior super strike", f(prior_super_strike=True),
     {"outcome": "not_eligible", "cites": ["HS 11359(c)(1)"]}, "HS 11359(c)(1)"),
    ("11360 prior super strike", f(offense="11360", prior_super_strike=True),
     {"outcome": "not_eligible", "cites": ["HS 11360(a)(3)(A)"]}, "HS 11360(a)(3)(A)"),
    ("11359 PC 290 registrant", f(pc290_registrant=True),
     {"outcome": "not_eligible", "cites": ["HS 11359(c)(1)", "PC 290(c)"],
      "reasons": ["disqualifier_pc290"]}, "HS 11359(c)(1): PC 290(c)"),
    ("11358 two same-offense priors", f(offense="11358", prior_same_offense_convictions=2),
     {"outcome": "not_eligible", "cites": ["HS 11358(d)(2)"]}, "HS 11358(d)(2)"),
    ("11360 two priors", f(offense="11360", prior_same_offense_convictions=3),
     {"outcome": "not_eligible", "cites": ["HS 11360(a)(3)(B)"]}, "HS 11360(a)(3)(B)"),
    ("11359 one prior is not two", f(prior_same_offense_convictions=1, county="Fresno"),
     {"outcome": "likely_cleared"}, "HS 11359(c)(2): two or more"),
    ("11359 sale to minor", f(sale_to_minor=True),
     {"outcome": "not_eligible", "cites": ["HS 11359(c)(3)"]}, "HS 11359(c)(3)"),
    ("11360 sale to minor", f(offense="11360", sale_to_minor=True),
     {"outcome": "not_eligible", "cites": ["HS 11360(a)(3)(C)"]}, "HS 11360(a)(3)(C)"),
    ("11358 sale to minor does not apply", f(offense="11358", sale_to_minor=True, county="Fresno"),
     {"outcome": "likely_cleared"}, "HS 11358(d): no minor clause"),
    ("11360 interstate", f(offense="11360", interstate=True),
     {"outcome": "not_eligible", "cites": ["HS 11360(a)(3)(D)"]}, "HS 11360(a)(3)(D)"),
    ("11359 interstate does not apply", f(interstate=True, county="Fresno"),
     {"outcome": "likely_cleared"}, "HS 11360(a)(3)(D) only"),
    ("11359 used a minor", f(used_minor=True), {"outcome": "not_eligible", "cites": ["HS 11359(d)"]},
     "HS 11359(d)"),
    ("11358 environmental harm", f(offense="11358", environmental_harm=True),
     {"outcome": "not_eligible", "cites": ["HS 11358(d)(3)"]}, "HS 11358(d)(3)"),
    ("11357 felony with super strike: never disqualified", f(offense="11357(a)", prior_super_strike=True,
                                                            pc290_registrant=True, county="Fresno"),
     {"outcome": "likely_cleared"}, "HS 11357: no felony version"),
    ("11357 misdemeanor with two priors: destroyed", f(offense="possession", level="misdemeanor",
                                                       prior_same_offense_convictions=5, concentrate=False),
     {"outcome": "likely_destroyed"}, "HS 11357: no prior-based felony"),
    ("disqualifiers unknown: not disqualified, ask, caveat",
     f(prior_super_strike=None, pc290_registrant=None, prior_same_offense_convictions=None,
       sale_to_minor=None, county="Fresno"),
     {"outcome": "likely_cleared", "asks": ["prior_super_strike", "pc290_registrant",
                                            "prior_same_offense_convictions", "sale_to_minor"],
      "caveats": ["unless_disqualifiers"]}, "law.md s9 step 9: unknown"),
    ("11358 never asks sale to minor", f(offense="11358", sale_to_minor=None, interstate=None,
                                          county="Fresno"),
     {"not_asks": ["sale_to_minor", "interstate"]}, "HS 11358(d)"),
    ("disqualifier trumps still serving", f(currently_serving=True, prior_super_strike=True),
     {"outcome": "not_eligible"}, "HS 11361.8(a): would still be guilty of the felony"),
    # --- Step 8: still serving ---
    ("still serving: petition for resentencing", f(currently_serving=True),
     {"outcome": "petition", "relief": "resentencing", "cites": ["HS 11361.8(a)", "HS 11361.8(b)"],
      "caveats": ["may_be_on_automatic_list"], "confirm0": "county_public_defender"}, "HS 11361.8(a)-(b)"),
    ("serving unknown: ask", f(currently_serving=None, county="Fresno", conviction_date="2015"),
     {"outcome": "likely_cleared", "asks": ["currently_serving"], "caveats": ["if_still_serving"]},
     "law.md s9 step 8: unknown"),
    ("serving unknown, 12+ years ago: not asked, only the caveat",
     f(currently_serving=None, county="Fresno", conviction_date="2009"),
     {"outcome": "likely_cleared", "no_asks": ["currently_serving"], "caveats": ["if_still_serving"]},
     "an old sentence (4 years at most, HS 11360(a)) and its parole are over"),
    ("disqualifier on an old 11359: no need to ask the level (a straight felony then)",
     f(offense="possession_for_sale", sale_to_minor=True, level=None),
     {"outcome": "not_eligible", "no_asks": ["level"]}, "former HS 11359 (2011): PC 1170(h) only"),
    # --- Step 11: checked, nothing changed ---
    ("checked and nothing changed: CR-400", f(checked_not_cleared=True, county="Fresno"),
     {"outcome": "petition", "relief": "reduced", "cites": ["HS 11361.8(e)", "HS 11361.8(f)"],
      "other": ["petition_cr400"]}, "HS 11361.8(e)-(f)"),
    ("checked, nothing changed, legal conduct: dismiss", f(offense="11358", checked_not_cleared=True),
     {"outcome": "petition", "relief": "dismissed"}, "HS 11361.8(e): legally invalid"),
    # --- Step 10: automatic review, relief and counties ---
    ("21+ small grow felony: dismissed", f(offense="11358", county="Fresno"),
     {"outcome": "likely_cleared", "relief": "dismissed", "reasons": ["conduct_now_legal"],
      "cites": ["HS 11361.9", "HS 11361.8(e)"]}, "HS 11362.1; HS 11361.8(e)"),
    ("21+ concentrate felony small: dismissed", f(offense="11357(a)", county="Kern"),
     {"outcome": "likely_cleared", "relief": "dismissed"}, "HS 11362.1(a): 8 g concentrate"),
    ("possession felony, 18-20: reduced floor", f(offense="11357(a)", age_at_offense="18_20",
                                                   county="Alameda"),
     {"relief": "reduced"}, "HS 11357(a)(2): infraction for 18-20"),
    ("large grow, Alameda: reduced", f(offense="11358", amount="large", county="Alameda"),
     {"relief": "reduced", "reasons": ["county_followed_statute"]}, "counties.csv Alameda; HS 11358(c)"),
    ("11359, unknown-practice county: dismissed or reduced", f(county="Fresno"),
     {"outcome": "likely_cleared", "relief": "dismissed_or_reduced", "reasons": ["conduct_now_lesser"],
      "caveats": ["reduced_still_shows"], "other": ["pc_1203_4"]}, "law.md s9 step 10"),
    ("11359 Alameda: reduced", f(county="Alameda"), {"relief": "reduced"},
     "counties.csv Alameda: reduced felonies"),
    ("11359 Los Angeles: dismissed, PD line", f(county="Los Angeles"),
     {"relief": "dismissed", "reasons": ["county_dismissed_all"], "caveats": ["la_found_more_cases"],
      "confirm0": "county_public_defender", "phone0": "(323) 760-6763"},
     "counties.csv LA; confirm.md way 4"),
    ("11359 San Francisco: dismissed", f(county="San Francisco"), {"relief": "dismissed"},
     "counties.csv SF: dismissed and sealed 9,362"),
    ("11359 Contra Costa: dismissed", f(county="Contra Costa"), {"relief": "dismissed"},
     "counties.csv Contra Costa: dismissed and sealed"),
    ("11359 Sonoma: dismissed", f(county="Sonoma"), {"relief": "dismissed"},
     "counties.csv Sonoma: dismissed felonies"),
    ("11359 Sacramento: dismissed or reduced", f(county="Sacramento"),
     {"relief": "dismissed_or_reduced"}, "counties.csv Sacramento: 1,919 dismissed, 3,384 reduced"),
    ("11359 San Joaquin: dismissed or reduced, court", f(county="San Joaquin"),
     {"relief": "dismissed_or_reduced", "court": "Superior Court of California, County of San Joaquin"},
     "counties.csv San Joaquin"),
    ("11359 San Diego: dismissed or reduced, PD FAQ", f(county="San Diego"),
     {"relief": "dismissed_or_reduced",
      "url0": "https://sandiegocounty.gov/content/sdc/public_defender/prop_64_faq.html"},
     "counties.csv San Diego"),
    ("11359 Santa Clara: dismissed or reduced, PD reentry expungement line", f(county="Santa Clara"),
     {"relief": "dismissed_or_reduced", "phone0": "(408) 535-4290",
      "url0": "https://publicdefender.sccgov.org/cases-we-take/post-conviction"},
     "counties.csv Santa Clara"),
    ("Imperial: county was behind", f(county="Imperial"), {"caveats": ["county_was_behind"]},
     "counties.csv Imperial: 14.6% by April 2023"),
    ("Orange: county was behind", f(county="Orange"), {"caveats": ["county_was_behind"]},
     "counties.csv Orange: 3,211 not cleared July 2023"),
    ("Shasta: caught up, no behind caveat", f(county="Shasta"), {"no_caveats": ["county_was_behind"]},
     "counties.csv Shasta"),
    ("Monterey PD phone", f(county="Monterey"), {"phone0": "(831) 755-5058"},
     "counties_sources.md Monterey"),
    ("San Mateo: Private Defender Program", f(county="San Mateo"),
     {"name0": "San Mateo County Private Defender Program"}, "counties_sources.md San Mateo"),
    ("unknown county: statewide court page, ask county", f(county=None),
     {"asks": ["county"], "court": "The superior court in the county where you were convicted"},
     "confirm.md way 3"),
    ("misdemeanor 11359 LA: dismissed", f(level="misdemeanor", county="LA"), {"relief": "dismissed"},
     "counties.csv LA"),
    ("amount unknown, 11358, Fresno: ask amount", f(offense="11358", amount=None, county="Fresno"),
     {"relief": "dismissed_or_reduced", "asks": ["amount"]}, "law.md s9 step 10: amount unknown"),
    ("amount unknown, 11358, LA: no need to ask", f(offense="11358", amount=None, county="LA"),
     {"relief": "dismissed", "not_asks": ["amount"]}, "counties.csv LA: dismissed all"),
    ("11359 never dismissed by statute alone", f(county="Kern"), {"relief": "dismissed_or_reduced"},
     "HS 11359(b): still a misdemeanor"),
    # --- AB 1793 / AB 1706 timeline ---
    ("today 2019-01-01: review not started: petition", f(county="Fresno"),
     {"outcome": "petition", "reasons": ["automatic_review_not_started"], "today": date(2019, 1, 1)},
     "HS 11361.9: lists by 1 Jul 2019"),
    ("today 2021-06-01: review in progress", f(county="Fresno"),
     {"outcome": "likely_cleared", "caveats": ["automatic_review_in_progress"],
      "today": date(2021, 6, 1)}, "AB 1706: orders by 1 Mar 2023"),
    ("today 2026: deadlines passed", f(county="Fresno"),
     {"outcome": "likely_cleared", "reasons": ["deadlines_passed"],
      "no_caveats": ["automatic_review_in_progress"]}, "AB 1706 deadlines"),
    # --- immigration ---
    ("noncitizen: immigration caveat", f(noncitizen=True, county="Fresno"), {"caveats": ["immigration"]},
     "law.md s6: Prado v. Barr"),
    ("citizen: no immigration caveat", f(noncitizen=False, county="Fresno"),
     {"no_caveats": ["immigration", "immigration_if_noncitizen"]}, "law.md s9 step 12"),
    ("immigration caveat even when destroyed", f(offense="possession", level="misdemeanor",
                                                 noncitizen=True, concentrate=False),
     {"outcome": "likely_destroyed", "caveats": ["immigration"]}, "prior-art.md: destroyed not erased"),
    # --- spellings of counties ---
    *[(f"county spelling {text!r}", f(county=text), {"court": f"Superior Court of California, County of {name}"},
       "issue 3: county short forms and case")
      for text, name in [("LA", "Los Angeles"), ("los angeles county", "Los Angeles"),
                         ("SF", "San Francisco"), ("San Francisco County", "San Francisco"),
                         ("sanfrancisco", "San Francisco"), ("Contra Costa Co.", "Contra Costa"),
                         ("OC", "Orange"), ("SLO", "San Luis Obispo"), ("SACRAMENTO", "Sacramento"),
                         ("county of san diego", "San Diego"), ("Del Norte", "Del Norte")]],
    # --- spellings of sections ---
    *[(f"section spelling {text!r}", f(offense=text, county="Fresno", sale_to_minor=True),
       {"outcome": expected}, "issue 3: section spellings")
      for text, expected in [("11359", "not_eligible"), ("HS 11359(b)", "not_eligible"),
                             ("H&S 11359", "not_eligible"), ("Health and Safety Code 11359", "not_eligible"),
                             ("11359(B) HS", "not_eligible"), ("hs11360(a)(2)", "not_eligible"),
                             ("664/11360", "not_eligible"), ("H&S 11357(c)", "likely_cleared"),
                             ("11357b", "likely_cleared"), ("possession_for_sale", "not_eligible"),
                             ("sale transport", "not_eligible"), ("cultivation", "likely_cleared")]],
    # --- malformed values are unknown ---
    ("malformed date is unknown", f(conviction_date="banana", county="Fresno"),
     {"asks": ["conviction_date"]}, "issue 3: malformed means unknown"),
    ("future date is unknown", f(conviction_date=2099, county="Fresno"), {"asks": ["conviction_date"]},
     "issue 3: malformed means unknown"),
    ("impossible date is unknown", f(conviction_date="2009-02-30", county="Fresno"),
     {"asks": ["conviction_date"]}, "issue 3: malformed means unknown"),
    ("list as county is unknown", f(county=["Fresno"]), {"asks": ["county"]},
     "issue 3: malformed means unknown"),
    ("number as level is unknown", f(offense="possession", level=5, county="Fresno"), {"asks": ["level"]},
     "issue 3: malformed means unknown"),
    ("'two' priors is unknown", f(prior_same_offense_convictions="two", county="Fresno"),
     {"asks": ["prior_same_offense_convictions"]}, "issue 3: malformed means unknown"),
    ("string booleans read", f(prior_super_strike="yes"), {"outcome": "not_eligible"},
     "issue 3: booleans"),
    # --- from the review against the brief ---
    ("11360 misdemeanor is old 11360(b): destroyed", f(offense="11360", level="misdemeanor", conviction_date=2010),
     {"outcome": "likely_destroyed"}, "law.md s1: pre-2016 11360(a) was a felony; HS 11361.5(a)"),
    ("sale_transport misdemeanor: destroyed", f(offense="sale_transport", level="misdemeanor"),
     {"outcome": "likely_destroyed"}, "HS 11361.5(a): 11360(b)"),
    ("11358 misdemeanor with super strike: not a felony case", f(offense="11358", level="misdemeanor",
                                                                prior_super_strike=True, county="Fresno"),
     {"outcome": "likely_cleared"}, "HS 11358(d): makes the conduct a felony"),
    ("11359 used a minor at 18-20: 11359(d) needs 21+", f(used_minor=True, age_at_offense="18_20", county="Fresno"),
     {"outcome": "likely_cleared"}, "HS 11359(d): 21 or over"),
    ("D.C. court is federal", {"court": "dc", "offense": "possession"},
     {"outcome": "not_covered", "other": ["federal_pardon_2022"], "caveats": ["pardon_citizens_and_residents"]},
     "law.md s9 step 1: federal or D.C."),
    ("tribal court not covered", f(court="tribal"), {"outcome": "not_covered"}, "law.md s9 step 2"),
    ("foreign court not covered", f(court="foreign"), {"outcome": "not_covered"}, "law.md s9 step 2"),
    ("year 2016 straddles the line: keep asking", f(conviction_date="2016", county="Fresno"),
     {"asks": ["conviction_date"], "caveats": ["date_near_prop64"]}, "law.md s9 step 5: before or after late 2016"),
    ("2017: county offices to ask about a pending case", f(conviction_date=2017, county="Los Angeles"),
     {"outcome": "unsure", "confirm0": "county_public_defender"}, "law.md s9 step 5: pending, ask the PD"),
    ("2018 possession misdemeanor: newer record may be destroyed", f(offense="possession", level="misdemeanor",
                                                                     conviction_date=2018),
     {"outcome": "not_covered", "caveats": ["newer_possession_record_may_be_destroyed"]},
     "HS 11361.5 (current wording unverified)"),
    ("offense unknown: no cleared-path leftovers", f(offense=None, county="Fresno"),
     {"outcome": "unsure", "no_reasons": ["automatic_review", "deadlines_passed"],
      "no_caveats": ["reduced_still_shows"], "no_other": ["petition_cr400"]}, "law.md s9 step 4"),
    ("Alpine: no invented public defender; the court clerk's line", f(county="Alpine"),
     {"confirm0": "court", "phone0": "(530) 694-2113"},
     "confirm.md: some small counties have no PD office; contacts.csv Alpine court"),
    ("Amador: no county phone seen, the court's site", f(county="Amador"),
     {"confirm0": "court", "url0": "https://www.amadorcourt.org/"},
     "contacts.csv Amador: only jury lines seen"),
    ("Plumas: a third-party court number is a lead, not sent", f(county="Plumas"),
     {"no_phones": True}, "contacts.md: third-party numbers are leads"),
    ("Butte: the court's number, once read on its own page, is sent", f(county="Butte"),
     {"confirm0": "court", "phone0": "(530) 532-7013"},
     "directory.csv Butte: the court's own page gives the number (issue 11)"),
    ("Marin: the DA's Prop 64 line first", f(county="Marin"),
     {"confirm0": "county_district_attorney", "phone0": "(415) 473-6450"},
     "contacts.csv Marin; confirm.md way 1"),
    ("11360 21+ unknown practice: amount not asked", f(offense="11360", amount=None, county="Fresno"),
     {"not_asks": ["amount"]}, "HS 11360: sale stays a misdemeanor either way"),
    ("juvenile known false: age asked for not_eligible", f(juvenile=False, age_at_offense=None,
                                                           prior_super_strike=True, county="Fresno"),
     {"outcome": "not_eligible", "asks": ["age_at_offense"]},
     "issue 14 item 7: under 18 in adult court, no disqualifier applies"),
    ("offense as a JSON number", f(offense=11359, sale_to_minor=True), {"outcome": "not_eligible"},
     "issue 3: section in any usual spelling"),
    *[(f"more section spellings {text!r}", f(offense=text, county="Fresno", sale_to_minor=True),
       {"outcome": "not_eligible"}, "issue 3: section spellings")
      for text in ["H&SC 11359", "H.S. 11359", "H/S 11359", "664(a)/11360", "Cal. Health & Safety Code 11359",
                   "HS 11359 (felony)", "11,359", "sale/transport", "h&s11359"]],
    *[(f"more county spellings {text!r}", f(county=text), {"court": f"Superior Court of California, County of {name}"},
       "issue 3: county names")
      for text, name in [("City and County of San Francisco", "San Francisco"),
                         ("Superior Court of California, County of Los Angeles", "Los Angeles"),
                         ("Los Ángeles", "Los Angeles"), ("San Joaquín", "San Joaquin")]],
    ("a bare year is not a section: unknown", f(offense="2005", county="Fresno"), {"asks": ["offense"]},
     "issue 4: people type years everywhere"),
    ("a bare short number is not read as HS", f(offense="148", county="Fresno"), {"asks": ["offense"]},
     "PC 148 needs its code"),
    ("'SB' is ambiguous: unknown", f(county="SB"), {"asks": ["county"]}, "Santa Barbara or San Bernardino"),
    # --- issue 14: a peer's fixtures (Code for America) and an attorney's review ---
    # item 1: "PC" on a cannabis section is the HS section, said back
    *[(f"item 1: {text!r} read as HS", f(offense=text, county="Fresno", sale_to_minor=sale),
       {"outcome": outcome, "caveats": ["read_pc_as_hs"]},
       "issue 14 item 1; CfA fixtures write 11357(A)PC, 11358 PC; no cannabis offense at PC 11357-11360")
      for text, outcome, sale in [("PC 11358", "likely_cleared", False), ("11358 PC", "likely_cleared", False),
                                  ("11360(a) PC", "not_eligible", True), ("Penal Code 11360", "not_eligible", True),
                                  ("11357(A)PC", "likely_cleared", False), ("P.C. 11359", "not_eligible", True),
                                  ("Cal. Penal Code 11359", "not_eligible", True)]],
    ("item 1: PC 148 stays the Penal Code", f(offense="PC 148"),
     {"outcome": "not_covered", "no_caveats": ["read_pc_as_hs"]}, "issue 14 item 1: only 11357-11360"),
    ("item 1: HS 11359 is not said back", f(offense="HS 11359", county="Fresno"),
     {"no_caveats": ["read_pc_as_hs"]}, "issue 14 item 1"),
    # item 2: a trailing "BP"
    *[(f"item 2: {text!r} not covered", f(offense=text),
       {"outcome": "not_covered", "reasons": ["offense_not_covered"], "missing": []},
       "issue 14 item 2; CfA fixtures: 4149 BP, 4060 BP")
      for text in ["4149 BP", "4060 BP", "BP 4149", "4060 B&P", "23152 VC"]],
    # item 3: convicted from 9 Nov 2016 for an act before it
    ("item 3: 2017, act before Nov 2016: pre-Prop 64 case, ask the court",
     f(conviction_date=2017, offense_before_prop64=True, county="Fresno"),
     {"outcome": "petition", "relief": "reduced", "reasons": ["conduct_before_prop64", "may_not_be_on_list"],
      "cites": ["HS 11361.8(e)"], "other": ["petition_cr400"],
      "caveats": ["may_be_on_automatic_list", "serve_district_attorney"]},
     "HS 11361.8(a), (e): 'had that act been in effect at the time of the offense'"),
    ("item 3: 2017, act after: not covered", f(conviction_date="2017-03", offense_before_prop64=False),
     {"outcome": "not_covered", "reasons": ["after_prop64"], "no_caveats": ["pending_case_check"]},
     "HS 11361.8(a)"),
    ("item 3: 'unknown' act date: unsure", f(conviction_date="2016-12", offense_before_prop64="unknown"),
     {"outcome": "unsure", "asks": ["offense_before_prop64"]}, "issue 14 item 3: unsure when not known"),
    ("item 3: 9 Nov 2016 grow felony, act before, small, 21+: dismissed by petition",
     f(offense="11358", conviction_date="2016-11-09", offense_before_prop64=True, county="Fresno"),
     {"outcome": "petition", "relief": "dismissed"}, "HS 11361.8(e): legally invalid"),
    ("item 3: act before, disqualifier still counts",
     f(conviction_date=2017, offense_before_prop64=True, prior_super_strike=True),
     {"outcome": "not_eligible"}, "HS 11359(c)(1)"),
    ("item 3: act before, still serving: resentencing",
     f(conviction_date=2017, offense_before_prop64=True, currently_serving=True),
     {"outcome": "petition", "relief": "resentencing"}, "HS 11361.8(a)"),
    ("item 3: 2020 conviction, act date unknown: not covered, not asked",
     f(conviction_date=2020), {"outcome": "not_covered", "missing": []}, "issue 14 item 3: 2016-2017 only"),
    ("item 3: 2020 conviction for a 2015 act: still a pre-Prop 64 case",
     f(conviction_date=2020, offense_before_prop64=True, county="Fresno"),
     {"outcome": "petition"}, "HS 11361.8(e): the statute turns on the time of the offense"),
    ("item 3: act before, possession misdemeanor: no destruction claim",
     f(offense="possession", level="misdemeanor", conviction_date=2017, offense_before_prop64=True,
       concentrate=False, county="Fresno"),
     {"outcome": "petition"}, "HS 11361.5(a) reaches the old offenses; current wording unverified"),
    # item 4: San Francisco's program was narrower
    ("item 4: SF, large amount: dismissed or reduced", f(county="San Francisco", amount="large"),
     {"relief": "dismissed_or_reduced", "reasons": ["county_program_narrower"]},
     "issue 14 item 4; CfA San Francisco fixture: over one pound left out"),
    ("item 4: SF, amount unknown: dismissed or reduced", f(county="San Francisco", amount=None),
     {"relief": "dismissed_or_reduced"}, "issue 14 item 4: not a flat 'dismissed'"),
    ("item 4: SF, super strike on a possession felony: dismissed or reduced",
     f(offense="11357(a)", county="SF", prior_super_strike=True, amount="large"),
     {"outcome": "likely_cleared", "relief": "dismissed_or_reduced"},
     "issue 14 item 4; CfA San Francisco fixture: any super strike left out"),
    ("item 4: SF, small and no super strike: dismissed", f(county="San Francisco"),
     {"relief": "dismissed", "reasons": ["county_dismissed_all"]}, "counties.csv SF: 9,362 dismissed"),
    ("item 4: LA still dismisses large", f(county="Los Angeles", amount="large"), {"relief": "dismissed"},
     "counties.csv LA"),
    # item 5: a conviction date in the future
    *[(f"item 5: future date {value!r}: unsure, ask again", f(conviction_date=value, county="Fresno"),
       {"outcome": "unsure", "relief": "unknown", "reasons": ["date_in_future"], "asks": ["conviction_date"]},
       "issue 14 item 5: a typo such as 2031")
      for value in [2031, "2031", "2027-01", "2026-12-01"]],
    ("item 5: today's own date is fine", f(conviction_date="2026-11-25", offense_before_prop64=False),
     {"outcome": "not_covered", "no_reasons": ["date_in_future"]}, "issue 14 item 5"),
    # item 6: other relief names automatic relief
    *[(f"item 6: {name}: PC 1203.425 offered", facts, {"other": ["pc_1203_4", "pc_1203_425"]},
       "issue 14 item 6; PC 1203.425")
      for name, facts in [("not eligible", f(prior_super_strike=True)), ("not covered", f(offense="PC 148")),
                          ("after Prop 64", f(conviction_date=2019)),
                          ("cleared, reduced", f(county="Fresno"))]],
    # item 7: under 18 in adult court
    *[(f"item 7: under 18 in adult court, {key}: no disqualifier", f(age_at_offense="under_18", juvenile=False,
                                                                       county="Alameda", **{key: value}),
       {"outcome": "likely_cleared", "relief": "reduced", "no_reasons": [code]},
       "HS 11359(a), (c): felony clauses reach only 'a person 18 years of age or over'")
      for key, value, code in [("prior_super_strike", True, "disqualifier_super_strike"),
                               ("pc290_registrant", True, "disqualifier_pc290"),
                               ("prior_same_offense_convictions", 3, "disqualifier_two_priors"),
                               ("sale_to_minor", True, "disqualifier_sale_to_minor")]],
    ("item 7: under 18, 11358 environmental harm: no disqualifier",
     f(offense="11358", age_at_offense="under_18", juvenile=False, environmental_harm=True, county="Fresno"),
     {"outcome": "likely_cleared"}, "HS 11358(d): 'a person 18 years of age or over'"),
    ("item 7: under 18, 11360 interstate: no disqualifier",
     f(offense="11360", age_at_offense=15, juvenile=False, interstate=True, county="Fresno"),
     {"outcome": "likely_cleared"}, "HS 11360(a)(3): 'a person 18 years of age or over'"),
    ("item 7: under 18, disqualifiers unknown: not asked",
     f(age_at_offense="under_18", juvenile=False, prior_super_strike=None, sale_to_minor=None, county="Fresno"),
     {"not_asks": ["prior_super_strike", "sale_to_minor"], "no_caveats": ["unless_disqualifiers"]},
     "issue 14 item 7"),
    ("item 7: 18-20 with a super strike: still not eligible", f(age_at_offense="18_20", prior_super_strike=True),
     {"outcome": "not_eligible"}, "HS 11359(c)(1): 18 or over"),
    # item 10: the not-eligible path
    ("item 10: not eligible: CR-400 first, serve the DA, no 17(b)", f(offense="11360", sale_to_minor=True),
     {"outcome": "not_eligible", "other": ["petition_cr400_disqualifier"], "no_other": ["pc_17b"],
      "cites": ["HS 11361.8(b)", "HS 11361.8(f)"], "caveats": ["serve_district_attorney"]},
     "HS 11361.8(b), (f): clear and convincing evidence"),
    ("item 10: two priors: whether old priors count is unsettled", f(prior_same_offense_convictions=2),
     {"outcome": "not_eligible", "caveats": ["old_priors_unsettled"]}, "HS 11359(c)(2); law.md s9 open points"),
    ("item 10: super strike only: no priors caveat", f(prior_super_strike=True),
     {"no_caveats": ["old_priors_unsettled"]}, "HS 11359(c)(1)"),
    ("item 10: still serving: serve the DA", f(currently_serving=True),
     {"caveats": ["serve_district_attorney"]}, "issue 14 item 10: CR-401"),
    ("item 10: nothing changed: serve the DA", f(checked_not_cleared=True, county="Fresno"),
     {"caveats": ["serve_district_attorney"]}, "issue 14 item 10: CR-401"),
    ("item 10: likely cleared: no service needed", f(county="Fresno"),
     {"no_caveats": ["serve_district_attorney"]}, "issue 14 item 10: where the path needs it"),
    # item 9: counties that were behind
    *[(f"item 9: {name} was behind: may have been done", f(county=name),
       {"outcome": "likely_cleared", "reasons": ["county_behind"], "caveats": ["county_was_behind"],
        "other": ["petition_cr400"]}, f"counties.csv {name}: {note}")
      for name, note in [("Imperial", "14.6% by April 2023"), ("Amador", "31.1%"), ("Trinity", "47.6%"),
                         ("Humboldt", "about 61%")]],
    ("item 9: Fresno not marked behind", f(county="Fresno"), {"no_reasons": ["county_behind"]}, "counties.csv"),
    # item 11: before 1976
    ("item 11: 1970 possession misdemeanor: DOJ application, HS 11361.7, CR-400",
     f(offense="possession", level="misdemeanor", conviction_date=1970, county="Fresno"),
     {"outcome": "unsure", "cites": ["HS 11361.5(b)", "HS 11361.7"],
      "reasons": ["before_1976_destruction_on_request", "record_cannot_be_used"],
      "other": ["destruction_on_request", "petition_cr400"]},
     "HS 11361.5(b), 11361.7; Younger v. Superior Court (1978) 21 Cal.3d 102"),
    ("item 11: 1975 concentrate unknown is still the before-1976 answer",
     f(offense="11357", level="misdemeanor", conviction_date=1975),
     {"outcome": "unsure", "reasons": ["before_1976_destruction_on_request"], "not_asks": ["concentrate"]},
     "HS 11361.5(b)"),
    # item 12: concentrate, and no lesser offense
    ("item 12: possession misdemeanor, concentrate unknown: unsure, ask",
     f(offense="possession", level="misdemeanor", conviction_date=1999, county="Fresno"),
     {"outcome": "unsure", "relief": "unknown", "reasons": ["concentrate_unknown"], "asks": ["concentrate"]},
     "HS 11361.5(a): 11357(b)-(e) and 11360(b), not 11357(a)"),
    ("item 12: plain 11357 misdemeanor, concentrate unknown: ask", f(offense="11357", level="misdemeanor"),
     {"outcome": "unsure", "asks": ["concentrate"]}, "HS 11361.5(a)"),
    ("item 12: concentrate, small, 21+: cleared, not destroyed",
     f(offense="possession", level="misdemeanor", concentrate=True, county="Fresno"),
     {"outcome": "likely_cleared", "no_reasons": ["record_destroyed"]}, "HS 11361.5(a); HS 11362.1(a)(4)"),
    ("item 12: infraction possession is never concentrate: destroyed",
     f(offense="possession", level="infraction", conviction_date=2012),
     {"outcome": "likely_destroyed", "not_asks": ["concentrate"]}, "HS 11357(b) from 2011; HS 11361.5(a)"),
    ("item 12: possession felony is concentrate: not destroyed", f(offense="possession", county="Fresno"),
     {"outcome": "likely_cleared", "not_asks": ["concentrate"]}, "old HS 11357(a): only felony possession"),
    ("item 12: over 8 g concentrate, adult misdemeanor: same crime today",
     f(offense="11357(a)", level="misdemeanor", amount="large", county="Fresno"),
     {"outcome": "not_covered", "relief": "none", "reasons": ["same_crime_today"], "other": ["pc_1203_4a"],
      "missing": []}, "HS 11357(b)(2); HS 11361.8(e): no lesser offense"),
    ("item 12: over 8 g concentrate at 18-20, misdemeanor: same crime today",
     f(offense="11357(a)", level="misdemeanor", amount="large", age_at_offense="18_20"),
     {"outcome": "not_covered"}, "HS 11357(b)(2): 18 or over"),
    ("item 12: over 8 g concentrate under 18: a lesser offense today",
     f(offense="11357(a)", level="misdemeanor", amount="large", age_at_offense="under_18", juvenile=False,
       county="Alameda"),
     {"outcome": "likely_cleared", "relief": "reduced"}, "HS 11357(a)(1): infraction under 18"),
    ("item 12: over 8 g concentrate felony: reduced", f(offense="11357(a)", amount="large", county="Alameda"),
     {"outcome": "likely_cleared", "relief": "reduced"}, "HS 11357(b)(2): a misdemeanor today"),
    ("item 12: concentrate misdemeanor, amount unknown: ask, with caveat",
     f(offense="11357(a)", level="misdemeanor", amount=None, county="Fresno"),
     {"asks": ["amount"], "caveats": ["if_same_crime_today"]}, "HS 11361.8(e)"),
    ("item 12: concentrate in SF, same crime: the county may have dismissed anyway",
     f(offense="11357(a)", level="misdemeanor", amount="large", county="San Francisco"),
     {"outcome": "not_covered", "caveats": ["may_have_been_dismissed"]}, "counties.csv SF"),
    ("item 12: new-law 11358 misdemeanor over six plants, adult: same crime",
     f(offense="11358", level="misdemeanor", amount="large", conviction_date=2017, offense_before_prop64=True),
     {"outcome": "not_covered", "reasons": ["same_crime_today"]}, "HS 11358(c)"),
    ("item 12: new-law 11358 misdemeanor, six plants or fewer, 21+: dismissed",
     f(offense="11358", level="misdemeanor", conviction_date=2017, offense_before_prop64=True, county="Fresno"),
     {"outcome": "petition", "relief": "dismissed"}, "HS 11362.1(a)(3)"),
    ("item 12: new-law 11359 misdemeanor, adult: same crime",
     f(level="misdemeanor", conviction_date=2017, offense_before_prop64=True),
     {"outcome": "not_covered", "reasons": ["same_crime_today"], "other": ["pc_1203_4a"]}, "HS 11359(b)"),
    ("item 12: new-law 11360 misdemeanor, adult: same crime",
     f(offense="11360", level="misdemeanor", conviction_date=2017, offense_before_prop64=True),
     {"outcome": "not_covered"}, "HS 11360(a)(2)"),
    ("item 12: new-law 11359, level unknown: ask level",
     f(level=None, conviction_date=2017, offense_before_prop64=True, county="Fresno"),
     {"outcome": "petition", "asks": ["level"], "caveats": ["if_same_crime_today"]}, "HS 11359(b), (c)"),
    ("item 12: old 11359 felony (straight felony before 2016): still cleared", f(county="Fresno"),
     {"outcome": "likely_cleared", "no_caveats": ["if_same_crime_today"]},
     "former HS 11359: punished under PC 1170(h) only"),
    # item 13: smaller points
    *[(f"item 13: Prop 47 for {text}: {'yes' if ok else 'no'}", f(offense=text),
       {"outcome": "not_covered", ("other" if ok else "no_other"): ["prop_47"]},
       "PC 1170.18: HS 11350, 11357, 11377 only")
      for text, ok in [("HS 11350", True), ("HS 11377", True), ("HS 11366", False), ("HS 11366.5", False),
                       ("HS 11379", False), ("PC 148", False)]],
    ("item 13: attempt is usually treated like the crime", f(offense="664/11359", county="Fresno"),
     {"caveats": ["attempt"]}, "prior-art.md s2"),
    ("item 13: federal possession: pardon caveats", {"court": "federal", "offense": "possession"},
     {"caveats": ["pardon_citizens_and_residents", "pardon_does_not_expunge"]},
     "Proclamations of 6 Oct 2022 and 22 Dec 2023"),
    ("unknown keys ignored", f(favourite_colour="green", county="Fresno"),
     {"outcome": "likely_cleared"}, "issue 3: unknown keys are ignored"),
]


def _check(result: dict, expected: dict) -> None:
    for key in ("outcome", "relief", "missing"):
        if key in expected:
            assert result[key] == expected[key], (key, result)
    reason_codes = [r["code"] for r in result["reasons"]]
    other_codes = [o["code"] for o in result["other_relief"]]
    for cite in expected.get("cites", []):
        assert cite in result["citations"], (cite, result["citations"])
    for code in expected.get("reasons", []):
        assert code in reason_codes, (code, reason_codes)
    for code in expected.get("no_reasons", []):
        assert code not in reason_codes, (code, reason_codes)
    for key in expected.get("asks", []):
        assert key in result["missing"], (key, result["missing"])
    for key in expected.get("not_asks", []):
        assert key not in result["missing"], (key, result["missing"])
    for code in expected.get("caveats", []):
        assert code in result["caveats"], (code, result["caveats"])
    for code in expected.get("no_caveats", []):
        assert code not in result["caveats"], (code, result["caveats"])
    for code in expected.get("other", []):
        assert code in other_codes, (code, other_codes)
    for code in expected.get("no_other", []):
        assert code not in other_codes, (code, other_codes)
    first = result["confirm"][0] if result["confirm"] else {}
    if "confirm0" in expected:
        assert first["kind"] == expected["confirm0"], result["confirm"]
    for key, field in (("phone0", "phone"), ("url0", "url"), ("name0", "name")):
        if key in expected:
            assert first.get(field) == expected[key], result["confirm"]
    if expected.get("no_phones"):
        assert not [s for s in result["confirm"] if s.get("phone")], result["confirm"]
    if "court" in expected:
        courts = [s["name"] for s in result["confirm"] if s["kind"] == "court"]
        assert courts == [expected["court"]], result["confirm"]


@pytest.mark.parametrize(("case", "facts", "expected", "source"), CASES, ids=[c[0] for c in CASES])
def test_case(case: str, facts: dict, expected: dict, source: str) -> None:
    result = rules.assess(facts, today=expected.get("today", TODAY)).to_dict()
    _check(result, expected)


def test_at_least_80_cases_naming_their_source() -> None:
    assert len(CASES) >= 80
    assert all(source for *_, source in CASES)


def test_every_outcome_and_relief_is_covered() -> None:
    outcomes, reliefs = set(), set()
    for _, facts, expected, _ in CASES:
        result = rules.assess(facts, today=expected.get("today", TODAY)).to_dict()
        outcomes.add(result["outcome"])
        reliefs.add(result["relief"])
    assert outcomes == set(rules.codes.OUTCOMES)
    assert reliefs == set(rules.codes.RELIEFS)
