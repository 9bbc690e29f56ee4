"""The decision list (law brief, section 9): one small rule per step, its citation beside it.

Rules run in order; the first that concludes wins. A rule that meets an unknown fact
that could change the result notes it (``a.ask``) and carries on with the likelier case,
adding a caveat, so a person who does not know still gets a useful answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Final

from .assessment import Assessment
from .counties import get as get_county
from .facts import Facts

PROP64_EFFECTIVE: Final = date(2016, 11, 9)  # Prop 64 in effect (HS 11361.8)
LISTS_SENT: Final = date(2019, 7, 1)  # DOJ sends prosecutors the lists (HS 11361.9, AB 1793)
COURT_ORDERS_DUE: Final = date(2023, 3, 1)  # courts' deadline (HS 11361.9 as amended by AB 1706)
DESTRUCTION_START: Final = 1976  # HS 11361.5 reaches convictions from 1 Jan 1976
LEGAL_TODAY: Final = {"possession", "cultivation"}  # within HS 11362.1's limits, for adults 21+
GROW_SELL: Final = {"cultivation": "11358", "possession_for_sale": "11359",
                    "sale_transport": "11360"}
# asked "did it happen before Nov 2016?" for convictions up to this year
PENDING_YEARS_END: Final = 2017
# drug possession reduced by PC 1170.18
PROP47_SECTIONS: Final = frozenset({"11350", "11357", "11377"})

Rule = Callable[[Facts, date, Assessment], bool]


def federal_court(f: Facts, today: date, a: Assessment) -> bool:
    """Step 1. A federal (or D.C.) conviction: California's relief cannot reach it.

    Simple or attempted possession may be pardoned (Presidential proclamations of 6 Oct 2022
    and 22 Dec 2023; law brief s6); a pardon does not expunge.
    """
    if f.court != "federal":
        return False
    a.conclude("not_covered", "none")
    a.because("federal_conviction", "")  # no California section: it rests on the court alone
    if f.offense is None or f.offense.kind == "possession":
        a.suggest("federal_pardon_2022", "Presidential Proclamation of 6 Oct 2022")
        a.suggest("federal_pardon_2023", "Presidential Proclamation of 22 Dec 2023")
        a.caveat("pardon_citizens_and_residents")
        a.caveat("pardon_does_not_expunge")
    return True


def other_jurisdiction(f: Facts, today: date, a: Assessment) -> bool:
    """Step 2. Another state's, a military, tribal or foreign court: its own law applies.

    HS 11361.8(a) reaches convictions under California's sections only (law brief s9).
    """
    if f.court not in {"other_state", "military", "tribal", "foreign"}:
        return False
    a.conclude("not_covered", "none")
    a.because("other_jurisdiction", "HS 11361.8(a)")
    a.suggest("that_jurisdiction", "HS 11361.8(a)")
    return True


def court_unknown(f: Facts, today: date, a: Assessment) -> bool:
    """Step 3. Court unknown: ask; meanwhile go on as a California court (law brief s9)."""
    if f.court is None:
        a.ask("court")
        a.caveat("court_assumed_california")
    return False


def offense_scope(f: Facts, today: date, a: Assessment) -> bool:
    """Step 4. Only HS 11357-11360 are reached (HS 11361.8(a), (e)).

    Other offenses: the PC 1203.4 family, PC 1203.425, and Prop 47 (PC 1170.18) only for
    the drug possession sections it reduced (HS 11350, 11377; 11357 is ours).
    "PC 11358" is read as HS 11358 (the Penal Code has no cannabis offense there) and
    said back. Unknown: ask, and answer on the condition that it was one of the four.
    """
    offense = f.offense
    if offense is None:
        a.ask("offense")
        return False
    if offense.kind == "other":
        a.conclude("not_covered", "none")
        a.because("offense_not_covered", "HS 11361.8(a)")
        _suggest_expungement(a)
        if offense.section in PROP47_SECTIONS:
            a.suggest("prop_47", "PC 1170.18")
        return True
    if offense.read_as_hs:
        a.caveat("read_pc_as_hs")
    if offense.attempt:
        a.caveat("attempt")
    return False


def future_date(f: Facts, today: date, a: Assessment) -> bool:
    """Step 5a. A conviction date after today is a typo: unsure, ask it again (HS 11361.8(a)).

    The date decides whether Prop 64 relief reaches the case, so nothing is assumed.
    """
    if not f.conviction_date_future:
        return False
    a.conclude("unsure", "unknown")
    a.because("date_in_future", "HS 11361.8(a)")
    a.ask("conviction_date")
    return True


def prop64_date(f: Facts, today: date, a: Assessment) -> bool:
    """Step 5. Convictions on or after 9 Nov 2016 came under the new law (HS 11361.8(a)).

    Relief turns on the law "at the time of the offense" (HS 11361.8(a), (e)), not the
    conviction date: a conviction after the line for an act before it is a pre-Prop 64
    case. For convictions through 2017 we ask; unknown there is ``unsure``.
    """
    when = f.conviction_date
    if when is None:
        a.ask("conviction_date")
        a.caveat("if_before_nov_2016")
        return False
    if when.earliest >= PROP64_EFFECTIVE:
        if f.offense_before_prop64:
            a.because("conduct_before_prop64", "HS 11361.8(e)")
            return False  # go on as a pre-Prop 64 case
        if f.offense_before_prop64 is None and when.earliest.year <= PENDING_YEARS_END:
            a.conclude("unsure", "unknown")
            a.because("conduct_date_unknown", "HS 11361.8(e)")
            a.ask("offense_before_prop64")
            a.caveat("pending_case_check")
            _suggest_expungement(a)
            return True
        a.conclude("not_covered", "none")
        a.because("after_prop64", "HS 11357-11360 (as amended by Prop 64, 2016)")
        if f.level in {"misdemeanor", "infraction"} and _small_possession(f):
            a.caveat("newer_possession_record_may_be_destroyed")
        _suggest_expungement(a)
        return True
    if when.latest >= PROP64_EFFECTIVE:
        a.ask("conviction_date")  # the answer straddles the line: ask before or after
        a.caveat("date_near_prop64")
    return False


def old_section_number(f: Facts, today: date, a: Assessment) -> bool:
    """Step 5b. Pre-1973 section numbers (former HS 11530-11532): unsure.

    Old possession records can be destroyed on request (HS 11361.5(b)); other relief may fit.
    """
    if f.offense is None or f.offense.kind != "pre1973":
        return False
    a.conclude("unsure", "unknown")
    a.because("pre_1973_section", "HS 11361.5(b)")
    a.suggest("destruction_on_request", "HS 11361.5(b)")
    _suggest_expungement(a)
    return True


def role_in_offense(f: Facts, today: date, a: Assessment) -> bool:
    """Step 5c. A conspiracy (PC 182) or accessory (PC 32) conviction: never automatic.

    A conspiracy is not one of the sections HS 11361.8 reaches (People v. Medina (2018)
    24 Cal.App.5th 61). An accessory to a cannabis felony may ask the court, which looks at
    the underlying offense (People v. Boatwright (2019) 36 Cal.App.5th 848).
    """
    kind = f.offense.kind if f.offense else None
    if kind == "conspiracy":
        a.conclude("not_covered", "none")
        a.because("conspiracy_not_covered", "People v. Medina (2018) 24 Cal.App.5th 61")
        a.caveat("court_decides")
        _suggest_expungement(a)
        return True
    if kind == "accessory":
        a.conclude("petition", "resentencing")
        a.because("accessory_by_petition", "People v. Boatwright (2019) 36 Cal.App.5th 848")
        a.suggest("petition_cr400", "HS 11361.8(b)")
        a.caveat("court_decides")
        _suggest_expungement(a)
        return True
    return False


def juvenile_court(f: Facts, today: date, a: Assessment) -> bool:
    """Step 6. A juvenile adjudication (WIC 602): relief by request, form JV-744 (HS 11361.8(m))."""
    if f.juvenile and f.age_at_offense in {None, "under_18"}:
        if f.age_at_offense is None:
            a.ask("age_at_offense")  # juvenile court at 18 or over would be a mistake
        a.conclude("petition", "dismissed_or_reduced")
        a.because("juvenile_adjudication", "HS 11361.8(m)")
        a.caveat("juvenile_may_be_sealed")
        return True
    if f.juvenile is None and f.age_at_offense in {None, "under_18"}:
        a.ask("age_at_offense")  # the age decides whether juvenile court is asked
        a.ask("juvenile")
    return False


def destroyed_record(f: Facts, today: date, a: Assessment) -> bool:
    """Step 7. Minor possession records must be destroyed after two years (HS 11361.5(a)).

    Misdemeanor or infraction possession (not concentrate, old 11357(a), which is outside
    the list: asked, ``unsure`` while unknown) or small giving away or transport (old
    11360(b)), convicted from 1 Jan 1976 and over two years ago. Such records may not be
    used against the person (HS 11361.7). Before 1976: destroyed only on an application
    to the state Department of Justice (HS 11361.5(b); Younger v. Superior Court (1978)
    21 Cal.3d 102).
    """
    if not _small_possession(f) or _after_line(f):
        return False
    if f.level is None:
        a.ask("level")
        return False
    if f.level == "felony" or f.offense is None:
        return False
    when = f.conviction_date
    if when is not None and when.latest.year < DESTRUCTION_START:
        a.conclude("unsure", "unknown")
        a.because("before_1976_destruction_on_request", "HS 11361.5(b)")
        a.because("record_cannot_be_used", "HS 11361.7")
        a.suggest("destruction_on_request", "HS 11361.5(b)")
        a.suggest("petition_cr400", "HS 11361.8(e)")
        a.caveat("may_have_been_dismissed")
        return True
    if when is not None and date(when.latest.year + 2, 12, 31) > today:
        return False
    concentrate = _concentrate(f)
    if concentrate:
        return False
    if concentrate is None:
        a.conclude("unsure", "unknown")
        a.because("concentrate_unknown", "HS 11361.5(a)")
        a.ask("concentrate")
        return True
    a.conclude("likely_destroyed", "destroyed")
    a.because("record_destroyed", "HS 11361.5(a)")
    a.because("record_cannot_be_used", "HS 11361.7")
    a.caveat("record_may_still_show")
    a.suggest("petition_cr400", "HS 11361.8(e)")
    return True


def _small_possession(f: Facts) -> bool:
    """Old minor possession or small giving away (HS 11361.5(a)); True when unknown.

    Every pre-2016 11360 misdemeanor was old 11360(b): 11360(a) was a felony.
    """
    offense = f.offense
    if offense is None:
        return True
    if offense.kind == "possession":
        return offense.subsection != "a"
    if offense.kind == "sale_transport":
        return offense.subsection == "b" or (
            offense.subsection is None and f.level in {None, "misdemeanor", "infraction"}
        )
    return False


def _concentrate(f: Facts) -> bool | None:
    """Whether a possession case was concentrated cannabis (old 11357(a)); None if unknown.

    Only 11357(a) was a felony; an infraction was never concentrate (11357(b) from 2011).
    """
    offense = f.offense
    if offense is None or offense.kind != "possession":
        return False
    if offense.subsection:
        return offense.subsection == "a"
    if f.level in {"felony", "infraction"}:
        return f.level == "felony"
    return f.concentrate


def _after_line(f: Facts) -> bool:
    """Convicted on or after 9 Nov 2016 (for an act before it, or the rules stop earlier)."""
    return f.conviction_date is not None and f.conviction_date.earliest >= PROP64_EFFECTIVE


# fact key, reason code, {section: citation}, extra citation
DISQUALIFIERS: Final[tuple[tuple[str, str, dict[str, str], str | None], ...]] = (
    ("prior_super_strike", "disqualifier_super_strike",
     {"11358": "HS 11358(d)(1)", "11359": "HS 11359(c)(1)", "11360": "HS 11360(a)(3)(A)"},
     "PC 667(e)(2)(C)(iv)"),
    ("pc290_registrant", "disqualifier_pc290",
     {"11358": "HS 11358(d)(1)", "11359": "HS 11359(c)(1)", "11360": "HS 11360(a)(3)(A)"},
     "PC 290(c)"),
    ("prior_same_offense_convictions", "disqualifier_two_priors",
     {"11358": "HS 11358(d)(2)", "11359": "HS 11359(c)(2)", "11360": "HS 11360(a)(3)(B)"}, None),
    ("sale_to_minor", "disqualifier_sale_to_minor",
     {"11359": "HS 11359(c)(3)", "11360": "HS 11360(a)(3)(C)"}, None),
    ("interstate", "disqualifier_interstate", {"11360": "HS 11360(a)(3)(D)"}, None),
    ("used_minor", "disqualifier_used_minor", {"11359": "HS 11359(d)"}, None),
    ("environmental_harm", "disqualifier_environmental", {"11358": "HS 11358(d)(3)"}, None),
)
ASKED_DISQUALIFIERS: Final = {key for key, *_ in DISQUALIFIERS}
# The felony clause of each section, for "one of them applies, not yet which".
FELONY_CLAUSES: Final = {"11358": "HS 11358(d)", "11359": "HS 11359(c)", "11360": "HS 11360(a)(3)"}


def _disqualified(f: Facts, key: str) -> bool | None:
    if f.age_at_offense == "under_18":
        return False  # the felony clauses reach only a person 18 or over (11358(d), 11359(c))
    if key == "used_minor" and f.age_at_offense == "18_20":
        return False  # HS 11359(d) reaches only people aged 21 or over
    if key == "prior_same_offense_convictions":
        count = f.prior_same_offense_convictions
        return None if count is None else count >= 2
    return getattr(f, key)


def disqualifiers(f: Facts, today: date, a: Assessment) -> bool:
    """Step 9. What keeps an 11358-11360 felony a felony today; never possession (11357).

    A prior super strike or PC 290(c) offense, two or more earlier same-offense
    convictions, sale to a minor, using a minor, over 28.5 g across the state line,
    environmental harm. None applies to a person under 18 at the time: each felony clause
    reaches only "a person 18 years of age or over" (HS 11358(d), 11359(c), 11360(a)(3)).
    Unknown: not disqualified, with an "unless" caveat. A disqualifier found: CR-400 is
    still offered, since the prosecutor must prove it by clear and convincing evidence
    (HS 11361.8(b), (f)). No PC 17(b): old 11358, 11359 and 11360(a) were straight felonies.
    """
    if f.offense is None or f.offense.kind not in GROW_SELL:
        return False
    if f.level in {"misdemeanor", "infraction"}:
        return False  # they make the conduct a felony; a misdemeanor stays one
    section = GROW_SELL[f.offense.kind]
    found, unknown = False, False
    for key, code, citations, extra in DISQUALIFIERS:
        if section not in citations:
            continue
        hit = _disqualified(f, key)
        if hit:
            if not found:
                a.conclude("not_eligible", "none")
            found = True
            a.because(code, citations[section])
            if extra:
                a.cite(extra)
        elif hit is None:
            unknown = True
            if key in ASKED_DISQUALIFIERS:
                a.ask(key)
    if not found and unknown and f.some_disqualifier:
        # The person said one applies but not which: keep asking which (the answers may
        # all be no), and until then answer as for a disqualifier.
        found = True
        a.conclude("not_eligible", "none")
        a.because("disqualifier_unnamed", FELONY_CLAUSES[section])
    elif found:
        a.missing[:] = [k for k in a.missing if k not in ASKED_DISQUALIFIERS]
    if found:
        if f.level is None and f.offense.kind == "sale_transport":
            a.ask("level")  # a misdemeanor (11360(b)) would not be disqualified
        elif f.level is None:
            a.caveat("felony_then")  # former 11358 and 11359: felonies only (PC 1170(h))
        if f.age_at_offense is None:
            a.ask("age_at_offense")  # under 18, no disqualifier applies
        a.caveat("court_decides")
        a.caveat("bulk_review_may_not_have_screened")
        if any(r["code"] == "disqualifier_two_priors" for r in a.reasons):
            a.caveat("old_priors_unsettled")
        a.suggest("petition_cr400_disqualifier", "HS 11361.8(f)")
        a.cite("HS 11361.8(b)")
        a.cite("HS 11361.8(f)")
        a.caveat("serve_district_attorney")
        _suggest_expungement(a)
        return True
    if unknown:
        a.caveat("unless_disqualifiers")
    return False


def same_crime_today(f: Facts, today: date, a: Assessment) -> bool:
    """Step 9b. The same act is the same crime today: no relief under HS 11361.8(a), (e).

    Relief needs an act that is legal or a lesser offense today. An adult (18+)
    misdemeanor that stays the same misdemeanor: possession over the limits, including
    over 8 g of concentrate (HS 11357(b)(2)); and, for convictions under the new law
    (on or after 9 Nov 2016, for an earlier act), growing over six plants (11358(c)),
    possession for sale (11359(b)) and sale (11360(a)(2)). Before 9 Nov 2016 those three
    were felonies. Point to PC 1203.4a. Unknown age or amount: ask, with a caveat.
    """
    same = _same_crime(f)
    if same is False:
        return False
    if same is None:
        for key in ("level", "age_at_offense", "amount"):
            if getattr(f, key) is None:
                a.ask(key)
        a.caveat("if_same_crime_today")
        return False
    a.conclude("not_covered", "none")
    a.because("same_crime_today", "HS 11361.8(e)")
    a.suggest("pc_1203_4a", "PC 1203.4a")
    a.suggest("pc_1203_4", "PC 1203.4")
    a.suggest("pc_1203_425", "PC 1203.425")
    county = get_county(f.county)
    if county is not None and county.practice in {"dismissed_all", "dismissed_most"}:
        a.caveat("may_have_been_dismissed")
    return True


def _same_crime(f: Facts) -> bool | None:
    """Whether the act is the same misdemeanor today; None when an unknown fact decides."""
    kind = f.offense.kind if f.offense else None
    new_law = _after_line(f)
    needs: tuple[bool, ...]
    unknown: tuple[bool, ...]
    if kind == "possession" or (kind == "cultivation" and new_law):
        needs = (f.level == "misdemeanor", f.age_at_offense != "under_18", f.amount == "large")
        unknown = (f.level is None, f.age_at_offense is None, f.amount is None)
    elif kind in {"possession_for_sale", "sale_transport"} and new_law:
        if kind == "sale_transport" and f.offense is not None and f.offense.subsection == "b":
            return False  # giving away a little is legal or an infraction today
        needs = (f.level == "misdemeanor", f.age_at_offense != "under_18")
        unknown = (f.level is None, f.age_at_offense is None)
    else:
        return False
    if all(n or u for n, u in zip(needs, unknown, strict=True)):
        return True if not any(unknown) else None
    return False


def still_serving(f: Facts, today: date, a: Assessment) -> bool:
    """Step 8. Still serving (custody, probation, parole): petition to recall the sentence.

    HS 11361.8(a); eligibility is presumed and refused only for public-safety risk
    (HS 11361.8(b)). Checked after the disqualifiers: a person who would still be guilty
    of the felony today is not eligible (statute over brief order).
    """
    if f.currently_serving:
        a.conclude("petition", "resentencing")
        a.because("still_serving", "HS 11361.8(a)")
        a.because("presumed_eligible", "HS 11361.8(b)")
        a.caveat("may_be_on_automatic_list")
        a.caveat("serve_district_attorney")
        return True
    if f.currently_serving is None:
        if not _long_ago(f, today):
            a.ask("currently_serving")
        a.caveat("if_still_serving")
    return False


# longer than an old cannabis sentence (4 years) with its parole or probation
SERVING_YEARS: Final = 12


def _long_ago(f: Facts, today: date) -> bool:
    """A conviction so old that its sentence is over: not asked, only the caveat said."""
    when = f.conviction_date
    return when is not None and when.latest.year <= today.year - SERVING_YEARS


def nothing_changed(f: Facts, today: date, a: Assessment) -> bool:
    """Step 11. The person checked and nothing changed: apply to the court (CR-400).

    HS 11361.8(e); no deadline, no hearing unless asked, eligibility presumed (11361.8(f)).
    """
    if not f.checked_not_cleared or f.offense is None:
        return False
    a.conclude("petition", statutory_relief(f))
    a.because("nothing_changed_petition", "HS 11361.8(e)")
    a.because("presumed_eligible", "HS 11361.8(f)")
    a.suggest("petition_cr400", "HS 11361.8(e)")
    a.caveat("serve_district_attorney")
    return True


def automatic_review(f: Facts, today: date, a: Assessment) -> bool:
    """Step 10. Otherwise: likely already dismissed or reduced (HS 11361.9, AB 1706).

    The legal minimum is HS 11361.8(e): dismissed where the conduct is legal today,
    otherwise reduced; counties that dismissed everything did more. A conviction after
    9 Nov 2016 for an earlier act may not have been on the state's list: ask the court
    (``petition``). In a county that was behind in 2023 it only "may have been" done.
    """
    if f.offense is None:
        return True  # decide() answers "unsure", on the condition that it was one of the four
    if today < LISTS_SENT or _after_line(f):
        a.conclude("petition", statutory_relief(f))
        if _after_line(f):
            a.because("may_not_be_on_list", "HS 11361.9")
            a.caveat("may_be_on_automatic_list")
        else:
            a.because("automatic_review_not_started", "HS 11361.9")
        a.suggest("petition_cr400", "HS 11361.8(e)")
        a.caveat("serve_district_attorney")
        return True
    a.conclude("likely_cleared", cleared_relief(f, a))
    a.because("automatic_review", "HS 11361.9")
    if today < COURT_ORDERS_DUE:
        a.caveat("automatic_review_in_progress")
    else:
        a.because("deadlines_passed", "HS 11361.9")
    county = get_county(f.county)
    a.caveat("state_list_may_have_missed")
    if county is not None and county.name == "Los Angeles":
        a.caveat("la_found_more_cases")
    if county is not None and county.progress == "behind":
        a.because("county_behind", "HS 11361.9")
        a.caveat("county_was_behind")
    a.caveat("records_may_lag")
    if a.relief in {"reduced", "dismissed_or_reduced"}:
        a.caveat("reduced_still_shows")
        a.suggest("pc_1203_4", "PC 1203.4")
        a.suggest("pc_1203_425", "PC 1203.425")
    a.suggest("petition_cr400", "HS 11361.8(e)")
    return True


def statutory_relief(f: Facts) -> str:
    """The legal minimum under HS 11361.8(e): dismissed | reduced | dismissed_or_reduced.

    Dismissed where the conduct is legal today for an adult 21+ within the limits
    (28.5 g, 8 g concentrate, six plants, giving away or carrying for personal use,
    HS 11362.1); reduced where it is a lesser crime; possession for sale is never legal.
    """
    kind = f.offense.kind if f.offense else None
    if kind == "possession_for_sale":
        return "reduced"
    if kind is None:
        return "dismissed_or_reduced"
    adult, small = f.age_at_offense, f.amount
    if adult in {"under_18", "18_20"} or small == "large":
        return "reduced"
    if adult == "21_plus" and small == "small" and kind in LEGAL_TODAY:
        return "dismissed"
    return "dismissed_or_reduced"


def cleared_relief(f: Facts, a: Assessment) -> str:
    """What the automatic review likely did: the legal minimum, or more where the county did."""
    floor = statutory_relief(f)
    county = get_county(f.county)
    practice = county.practice if county else "unknown"
    if floor == "dismissed":
        a.because("conduct_now_legal", "HS 11361.8(e)")
        return "dismissed"
    if practice == "dismissed_all" or (practice == "dismissed_most" and _in_narrow_program(f)):
        a.because("county_dismissed_all", "HS 11361.9")
        return "dismissed"
    if practice == "dismissed_most":
        a.because("county_program_narrower", "HS 11361.9")
        return "dismissed_or_reduced"
    if f.level in {"misdemeanor", "infraction"}:
        a.caveat("misdemeanor_relief_varies")
    elif floor == "reduced":
        a.because("conduct_now_lesser", "HS 11361.8(e)")
    if floor == "dismissed_or_reduced" and f.offense and f.offense.kind in LEGAL_TODAY:
        for key in ("age_at_offense", "amount"):  # they decide whether it was legal conduct
            if getattr(f, key) is None:
                a.ask(key)
    if practice == "per_statute":
        a.because("county_followed_statute", "HS 11361.9")
        return floor
    return "dismissed_or_reduced"


def _in_narrow_program(f: Facts) -> bool:
    """San Francisco's program left out cases over a pound and people with a super strike.

    ``amount`` small (within the adult limits) is under a pound; anything else may not be.
    """
    return f.amount == "small" and f.prior_super_strike is False


def _suggest_expungement(a: Assessment) -> None:
    a.suggest("pc_1203_4", "PC 1203.4")
    a.suggest("pc_1203_4a", "PC 1203.4a")
    a.suggest("pc_1203_41", "PC 1203.41")
    a.suggest("pc_1203_425", "PC 1203.425")


# The decision list, in order. docs/rules.md follows these names (a test checks it).
RULES: Final[tuple[Rule, ...]] = (
    federal_court,
    other_jurisdiction,
    court_unknown,
    offense_scope,
    future_date,
    prop64_date,
    old_section_number,
    role_in_offense,
    juvenile_court,
    destroyed_record,
    disqualifiers,
    same_crime_today,
    still_serving,
    nothing_changed,
    automatic_review,
)


def decide(f: Facts, today: date) -> Assessment:
    """Run the decision list on the facts."""
    a = Assessment()
    for rule in RULES:
        if rule(f, today, a):
            break
    if a.outcome == "not_covered":
        a.missing.clear()
    if f.offense is None and a.outcome not in {"not_covered", "not_eligible"}:
        a.conclude("unsure", "unknown")
        a.because("offense_unknown", "HS 11361.8(a)")
        a.because("if_cannabis_offense", "HS 11361.9")
    return a
