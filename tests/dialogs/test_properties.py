"""Property tests: any sequence of any strings never breaks a conversation."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dialogs
from dialogs import sms
from dialogs.flow import MAIN as FLOW

ANSWERS = ["1", "2", "3", "yes", "no", "?", "no sé", "Fresno", "LA", "2009", "the 90s",
           "back", "BORRAR", "STOP", "START", "RESTART", "HELP", "REPEAT", "ES", "EN", "sí",
           "11359", "21", "", "   ", "🌿" * 3, "x" * 10_000]
TEXT = st.one_of(st.text(max_size=200), st.sampled_from(ANSWERS),
                 st.text(alphabet=st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),
                         max_size=20))
EVENTS = st.fixed_dictionaries(
    {"text": TEXT},
    optional={"channel": st.sampled_from(["sms", "telegram", "web", "cli"]),
              "ref": st.text(max_size=40)},
)


def _check(state, replies):
    # Silence only for a further "thanks" after the goodbye was thanked once (paid SMS).
    assert replies or (state["node"] == "end" and state.get("thx"))
    assert all(r["text"].strip() for r in replies)
    for reply in replies:
        assert isinstance(reply["choices"], list)
        assert sms.segments(dialogs.render_sms(reply)) <= 2
    clean, effects, events = dialogs.pop_signals(state)
    assert dialogs.is_valid(clean) or clean["node"] in {"erased", "stopped", "welcome"}
    assert set(effects) <= {"erase", "opt_out", "opt_in"}
    assert all(e["type"] in {"started", "asked", "verdict", "completed"} for e in events)
    assert len(json.dumps(clean)) < 2048
    return clean


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EVENTS, min_size=1, max_size=25))
def test_any_messages_never_break_the_conversation(events):
    state = None
    for event in events:
        state, replies = dialogs.step(state, event)
        state = _check(state, replies)


@settings(max_examples=80, deadline=None)
@given(st.one_of(st.none(), st.integers(), st.text(max_size=20),
                 st.dictionaries(st.text(max_size=8), st.one_of(st.none(), st.integers(),
                                                                 st.text(max_size=8)))),
       TEXT)
def test_any_stored_state_is_handled_politely(state, text):
    new, replies = dialogs.step(state, {"text": text})
    _check(new, replies)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(ANSWERS[:12]), min_size=1, max_size=30))
def test_answers_keep_the_state_valid_and_the_caller_state_untouched(texts):
    state, _ = dialogs.step(None, {"text": ""})
    for text in texts:
        state, _, _ = dialogs.pop_signals(state)
        before = json.dumps(state, sort_keys=True)
        new, replies = dialogs.step(state, {"text": text, "channel": "sms"})
        assert json.dumps(state, sort_keys=True) == before
        state = new


NEAR_VALID = st.fixed_dictionaries(
    {"v": st.just(dialogs.VERSION), "lang": st.sampled_from(["en", "es", "fr"]),
     "node": st.sampled_from([*FLOW.nodes, "stopped", "welcome", "nowhere"])},
    optional={
        "facts": st.dictionaries(st.sampled_from(["court", "county", "offense", "level",
                                                  "conviction_date", "amount", "juvenile"]),
                                 st.one_of(st.none(), st.booleans(), st.integers(),
                                           st.text(max_size=12))),
        "hist": st.lists(st.sampled_from([*FLOW.nodes, "gone"]), max_size=6),
        "done": st.lists(st.one_of(st.integers(), st.dictionaries(
            st.sampled_from(["o", "r", "k", "c", "y"]), st.text(max_size=10))), max_size=3),
        "miss": st.integers(-3, 9),
        "prev": st.sampled_from([*FLOW.nodes, "nowhere"]),
    },
)


@settings(max_examples=150, deadline=None)
@given(NEAR_VALID, st.lists(TEXT, min_size=1, max_size=4))
def test_damaged_or_odd_states_never_break_the_conversation(state, texts):
    for text in texts:
        state, replies = dialogs.step(state, {"text": text, "channel": "sms"})
        state = _check(state, replies)
