"""Reading what people type, in both languages."""

from datetime import date

import pytest

from dialogs import catalog, understand
from dialogs.flow import MAIN

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(("text", "year"), [
    ("1998", 1998), ("'98", 1998), ("98", 1998), ("around 2005", 2005), ("05", 2005),
    ("the 90s", 1995), ("los 90", 1995), ("late 80s", 1988), ("early 2000s", 2002),
    ("in the nineties", 1995), ("maybe 2003?", 2003), ("3/15/2009", 2009),
])
def test_years(text, year):
    assert understand.year(text, TODAY)[0] == year


@pytest.mark.parametrize(("text", "county"), [
    ("Los Angelos", "Los Angeles"), ("LA", "Los Angeles"), ("sanfrancisco", "San Francisco"),
    ("fresno county", "Fresno"), ("condado de Los Ángeles", "Los Angeles"),
    ("Sacremento", "Sacramento"), ("San Bernadino", "San Bernardino"), ("in Kern", "Kern"),
    ("banana", None), ("San", None), ("", None),
])
def test_counties(text, county):
    assert understand.county(text) == county


@pytest.mark.parametrize(("node", "text", "choice"), [
    ("currently_serving", "yeah", "yes"), ("currently_serving", "Sí", "yes"),
    ("currently_serving", "si", "yes"), ("currently_serving", "y", "yes"),
    ("currently_serving", "nope", "no"), ("currently_serving", "no sé", "dont_know"),
    ("currently_serving", "?", "dont_know"), ("currently_serving", "2", "no"),
    ("offense", "I grew it", "cultivation"), ("offense", "had it to sell", "possession_for_sale"),
    ("offense", "vender", "sale_transport"), ("level", "delito grave", "felony"),
    ("level", "just a ticket", "infraction"), ("disqualifiers", "none", "no"),
])
def test_choices(node, text, choice):
    answer = understand.understand(MAIN.nodes[node], text, TODAY)
    assert answer is not None and answer.choice is not None and answer.choice.id == choice


@pytest.mark.parametrize(("text", "command"), [
    ("HELP", "help"), ("ayuda", "help"), ("Atrás", "back"), ("EMPEZAR", "restart"),
    ("repeat", "repeat"), ("Español", "spanish"), ("english", "english"),
    ("BORRAR", "delete"), ("STOP", "opt_out"), ("stopall", "opt_out"), ("Quit", "opt_out"),
    ("UNSTOP", "opt_in"), ("/help", "help"), ("please stop texting me about it", None),
])
def test_commands(text, command):
    assert understand.command(text, MAIN) == command


@pytest.mark.parametrize("text", ["11357", "HS 11359(b)", "H&S 11360", "hs11358", "664/11360"])
def test_section_numbers(text):
    assert understand.read_offense(MAIN.nodes["offense"], text, TODAY) is not None


@pytest.mark.parametrize(("text", "facts"), [
    ("the federal court in San Francisco", {"court": "federal"}),
    ("Los Angeles, California", {"court": "california", "county": "Los Angeles"}),
    ("it was in Fresno", {"court": "california", "county": "Fresno"}),
    ("in california", {"court": "california"}),
    ("another state, Nevada", {"court": "other_state"}),
])
def test_where_the_case_was_in_a_sentence(text, facts):
    assert understand.understand(MAIN.nodes["court"], text, TODAY).facts == facts


def test_a_code_in_a_sentence_beats_the_plain_words():
    answer = understand.understand(MAIN.nodes["offense"], "I had it, code 11359", TODAY)
    assert answer.facts == {"offense": "11359"}


@pytest.mark.parametrize(("text", "facts", "said"), [
    ("hace 20 años", {"conviction_date": str(TODAY.year - 20)}, f"about {TODAY.year - 20}"),
    ("about 30 years ago", {"conviction_date": "1996"}, "about 1996"),
    ("about 10 years ago", {}, "about 2016"),  # 2016 asks before or after November 9
    ("before prop 64", {"conviction_date": "2016-06"}, "before November 9, 2016"),
    ("antes de 2016", {"conviction_date": "2016-06"}, "before November 9, 2016"),
    ("after prop 64", {"conviction_date": "2016-12"}, "on or after November 9, 2016"),
    ("the 90s", {"conviction_date": "1995"}, "the 1990s"),
    ("98", {"conviction_date": "1998"}, "1998"),
    ("2009", {"conviction_date": "2009"}, None),
])
def test_years_ago_and_prop_64_are_read_and_said_back(text, facts, said):
    answer = understand.understand(MAIN.nodes["conviction_date"], text, TODAY)
    assert answer.facts == facts
    if said is None:
        assert answer.note is None
    else:
        assert said in catalog.text("en", answer.note_key, year=answer.note)


@pytest.mark.parametrize("text", ["when I was 19", "cuando tenía 19", "I was 19 years old",
                                  "19 años"])
def test_an_age_is_not_taken_for_a_year(text):
    assert understand.understand(MAIN.nodes["conviction_date"], text, TODAY) is None


@pytest.mark.parametrize(("text", "county"), [
    ("Oakland", "Alameda"), ("hollywood", "Los Angeles"), ("it was in San Jose", "Santa Clara"),
    ("Bakersfield", "Kern"), ("eureka", "Humboldt"), ("Grass Valley", "Nevada"),
])
def test_cities_give_their_county(text, county):
    assert understand.understand(MAIN.nodes["county"], text, TODAY).facts["county"] == county


def test_i_dont_know_which_county_is_dont_know():
    answer = understand.understand(MAIN.nodes["county"], "I don't know which county", TODAY)
    assert answer.choice.id == "dont_know"
