"""How a test person answers each question of the check, to reach a verdict.

Choice questions get the number an SMS user would type; free-text questions get the
kind of words a person types. The current question is read from the saved state.
"""

from __future__ import annotations

ANSWERS = {
    "court": "Fresno",
    "court_hint": "1",
    "offense": "1",  # possession
    "conviction_date": "2010",
    "year_split": "1",
    "county": "Fresno",
    "level": "misdemeanor",
    "concentrate": "2",
    "offense_before_prop64": "1",
    "currently_serving": "2",
    "juvenile": "2",
    "age_at_offense": "3",
    "amount": "1",
    "prior_super_strike": "2",
    "pc290_registrant": "2",
}
# The same text twice within 10 seconds is taken as a double tap (issue 10), so a person
# answering two questions in a row the same way types it differently the second time.
SAME_AGAIN = {"1": "yes", "2": "no", "yes": "1", "no": "2"}
VERDICT_NODE = "another"
MAX_TURNS = 20


def answer(node: str) -> str:
    """What the test person types at ``node``."""
    return ANSWERS.get(node, "1")


def run_to_verdict(send, node_of) -> list[str]:
    """Answer questions until the verdict; return the node asked at each turn.

    ``send(text)`` sends one message; ``node_of()`` reads the person's current node.
    """
    asked, last = [], None
    for _ in range(MAX_TURNS):
        node = node_of()
        if node == VERDICT_NODE:
            return asked
        asked.append(node)
        text = answer(node)
        text = SAME_AGAIN.get(text, text) if text == last else text
        send(text)
        last = text
    raise AssertionError(f"no verdict after {MAX_TURNS} answers; asked {asked}")
