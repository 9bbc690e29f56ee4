"""Every code the rules can emit, with what it means in plain English.

The dialog layer words each code in each language; `docs/rules.md` lists them. A test
checks that the rules emit no code missing here.
"""

OUTCOMES = {
    "likely_cleared": "Probably already dismissed or reduced by the automatic review.",
    "likely_destroyed": "The record should already have been destroyed (HS 11361.5).",
    "petition": "Eligible, but the automatic review would not have done it: ask the court.",
    "not_eligible": "A disqualifier probably keeps it a felony today.",
    "not_covered": "This law does not reach this conviction.",
    "unsure": "Not enough facts to say.",
}

RELIEFS = {
    "dismissed": "Dismissed (and sealed).",
    "reduced": "Reduced: felony to misdemeanor, or misdemeanor to infraction.",
    "dismissed_or_reduced": "Dismissed, or at least reduced.",
    "resentencing": "The sentence can be recalled and redone.",
    "destroyed": "The record should be destroyed.",
    "none": "No relief under this law.",
    "unknown": "Not known yet.",
}

REASONS = {
    "federal_conviction": "A federal conviction: California's law cannot change it.",
    "other_jurisdiction": "A conviction from another state, a military court or a tribal court.",
    "offense_unknown": "We do not know the charge yet.",
    "offense_not_covered": "The charge is not one of the four cannabis sections (HS 11357-11360).",
    "pre_1973_section": "An old section number from before 1973: relief is uncertain.",
    "after_prop64": "Convicted on or after 9 Nov 2016, under the new law.",
    "juvenile_adjudication": "A juvenile court case: relief needs a request (form JV-744).",
    "record_destroyed": "Minor possession records must be destroyed after two years.",
    "record_cannot_be_used": "Such a record may not be used to deny any right or benefit.",
    "disqualifier_super_strike": "A very serious earlier conviction (a 'super strike').",
    "disqualifier_pc290": "An earlier conviction that requires sex-offender registration.",
    "disqualifier_two_priors": "Two or more earlier convictions for the same cannabis offense.",
    "disqualifier_sale_to_minor": "Selling or giving cannabis to someone under 18.",
    "disqualifier_used_minor": "Using or hiring someone aged 20 or younger.",
    "disqualifier_interstate": "Taking more than 28.5 g across the state line.",
    "disqualifier_environmental": "Serious environmental harm while growing.",
    "disqualifier_unnamed": "One of the reasons that keep it a felony applies (not yet which).",
    "still_serving": "Still serving the sentence: the court can recall and redo it.",
    "presumed_eligible": "The court must presume the person eligible.",
    "nothing_changed_petition": "The record was not changed: the person can ask the court.",
    "automatic_review_not_started": "The automatic review had not started on this date.",
    "automatic_review": "The state's automatic review should have handled it.",
    "deadlines_passed": "Courts had to act by 1 March 2023 (AB 1706).",
    "conduct_now_legal": "What was done is legal today for adults 21 and over.",
    "conduct_now_lesser": "What was done is a lesser crime today.",
    "county_dismissed_all": "This county dismissed even where the law asked only a reduction.",
    "county_followed_statute": "This county reduced or dismissed as the law required.",
    "if_cannabis_offense": "If the charge was one of the four cannabis sections.",
    "conspiracy_not_covered": "A conspiracy conviction (PC 182) is not one the law reaches.",
    "accessory_by_petition": "An accessory (PC 32) may ask the court; it is not automatic.",
    "before_1976_destruction_on_request": "Before 1976: the record is destroyed only on an "
    "application to the state Department of Justice (HS 11361.5(b)).",
    "date_in_future": "The conviction date given is after today: probably a typo. Ask again.",
    "conduct_before_prop64": "Convicted on or after 9 Nov 2016 for an act before it: relief "
    "turns on the law at the time of the act (HS 11361.8(a), (e)).",
    "conduct_date_unknown": "Convicted from 9 Nov 2016 to 2017: it depends on whether the act "
    "came before 9 Nov 2016, which we do not know.",
    "concentrate_unknown": "A possession record is destroyed unless it was concentrate (old "
    "11357(a), outside HS 11361.5): we do not know which.",
    "same_crime_today": "The same act is the same misdemeanor today, so there is no lesser "
    "offense and no relief under this law.",
    "may_not_be_on_list": "A conviction after 9 Nov 2016 may not have been on the state's "
    "automatic list: ask the court.",
    "county_behind": "This county was behind in 2023: it may not have been done yet.",
    "county_program_narrower": "This county's program left some cases out (over a pound, or a "
    "super strike on the record): dismissed, or at least reduced.",
}

CAVEATS = {
    "court_assumed_california": "We assumed a California state court.",
    "if_before_nov_2016": "This holds only if the conviction was before 9 Nov 2016.",
    "date_near_prop64": "The date is close to 9 Nov 2016: check which side.",
    "pending_case_check": "If the case started before 9 Nov 2016, ask the public defender.",
    "may_be_on_automatic_list": "It may also have been on the automatic list: check first.",
    "juvenile_may_be_sealed": "Juvenile records may already be sealed (WIC 781, 786).",
    "record_may_still_show": "Destroyed records sometimes still show up: ask the court.",
    "unless_disqualifiers": "Unless a disqualifier applies (an earlier very serious or "
    "registrable conviction, two earlier same convictions, sale to a minor, using someone "
    "under 21, across the state line, serious environmental harm).",
    "court_decides": "A court decides; the disqualifier may not apply.",
    "bulk_review_may_not_have_screened": "Some counties' bulk review did not check disqualifiers.",
    "if_still_serving": "If still on probation, parole or in custody, a request is needed.",
    "automatic_review_in_progress": "The automatic review was still under way on this date.",
    "state_list_may_have_missed": "The state's list missed some cases.",
    "la_found_more_cases": "Los Angeles found about 58,000 cases missing from the state's list.",
    "records_may_lag": "State records may not be updated yet.",
    "county_was_behind": "This county was behind in 2023.",
    "reduced_still_shows": "A reduced conviction still shows on the record.",
    "misdemeanor_relief_varies": "Counties treated old misdemeanors differently.",
    "immigration": "California relief binds California only (HS 11361.7(b)); it usually keeps "
    "immigration consequences (Prado v. Barr). Ask an immigration lawyer about vacating the "
    "plea (PC 1473.7); keep certified court papers.",
    "immigration_if_noncitizen": "The same immigration warning, for a person whose "
    "citizenship we do not know.",
    "pardon_does_not_expunge": "A federal pardon does not erase the record.",
    "pardon_citizens_and_residents": "The 2022 pardon leaves out non-citizens not lawfully "
    "present at the time of the offense; the 2023 pardon covers people who are citizens or "
    "permanent residents now.",
    "newer_possession_record_may_be_destroyed": "Newer possession records may also have to "
    "be destroyed after two years (HS 11361.5; current wording unverified).",
    "may_have_been_dismissed": "The automatic review may also have dismissed it: check.",
    "felony_then": "Before Nov 2016, growing and having it to sell were always felonies.",
    "attempt": "An attempt is usually treated like the offense itself.",
    "record_review_out_of_state": "Outside California, the record review uses form BCIA 8705 "
    "with FD-258 fingerprint cards.",
    "read_pc_as_hs": "Written as a Penal Code section; the Penal Code has no cannabis offense "
    "at 11357-11360, so it was read as the Health and Safety Code section.",
    "old_priors_unsettled": "Whether old felony priors count is unsettled (HS 11359(c)(2)).",
    "serve_district_attorney": "Serve a copy on the District Attorney (proof of service, "
    "form CR-401).",
    "if_same_crime_today": "If the same act is the same misdemeanor today (18 or over, over "
    "the limits), this law gives no relief: PC 1203.4a may.",
}

OTHER_RELIEF = {
    "pc_1203_4": "Expungement after probation (PC 1203.4).",
    "pc_1203_4a": "Expungement of a misdemeanor without probation (PC 1203.4a).",
    "pc_1203_41": "Expungement of a felony, including prison (PC 1203.41).",
    "pc_1203_425": "Automatic relief by the state, no petition ('Clean Slate', PC 1203.425).",
    "prop_47": "Other drug convictions: Prop 47 (PC 1170.18).",
    "federal_pardon_2022": "Federal pardon for simple possession (6 Oct 2022).",
    "federal_pardon_2023": "Federal pardon for simple and attempted possession and use "
    "(22 Dec 2023).",
    "petition_cr400": "Ask the court yourself with form CR-400 (no deadline).",
    "petition_cr400_disqualifier": "Ask the court anyway with form CR-400: the District "
    "Attorney must prove the disqualifier by clear and convincing evidence (HS 11361.8(b), (f)).",
    "destruction_on_request": "Apply to the state Department of Justice to destroy an old "
    "possession record (HS 11361.5(b)).",
    "that_jurisdiction": "Ask about that state's or court's own relief.",
}
