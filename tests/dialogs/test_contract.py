"""The engine contract other parts rely on: step, pop_signals, reply and state shapes."""

import json

import dialogs


def _shape_ok(replies):
    assert replies, "every step gives at least one reply"
    for reply in replies:
        assert set(reply) - {"kind"} == {"text", "choices"}
        assert reply.get("kind", "cite") == "cite"  # the web verdict's small print
        assert isinstance(reply["text"], str) and reply["text"].strip()
        for choice in reply["choices"]:
            assert set(choice) == {"id", "label"}
            assert choice["id"] and choice["label"]


def test_new_session_gets_the_welcome_with_the_offer_of_spanish():
    state, replies = dialogs.step(None, {"text": ""})
    _shape_ok(replies)
    assert "español" in replies[0]["text"]
    assert "legal advice" in replies[0]["text"]
    state, effects, events = dialogs.pop_signals(state)
    assert state["v"] == dialogs.VERSION and state["lang"] == "en"
    assert {"type": "started"} in events and effects == []
    assert "effects" not in state and "events" not in state


def test_referral_code_is_recorded_on_a_new_session():
    state, _ = dialogs.step(None, {"text": "hi", "channel": "web", "ref": "CLINIC42"})
    assert state["ref"] == "CLINIC42"


def test_an_answer_by_number_label_or_id_moves_on():
    state, replies = dialogs.step(None, {"text": ""})
    question = replies[-1]
    assert question["choices"]
    for answer in ("2", question["choices"][1]["label"], question["choices"][1]["id"]):
        new, _ = dialogs.step(state, {"text": answer, "channel": "sms"})
        assert new["facts"] == {"court": "federal"}


def test_state_is_small_and_json():
    state, _ = dialogs.step(None, {"text": ""})
    for text in ["Los Angeles", "3", "2009", "21", "no", "no"]:
        state, _ = dialogs.step(state, {"text": text})
    state, _, _ = dialogs.pop_signals(state)
    assert len(json.dumps(state)) < 2048


def test_step_does_not_change_the_state_it_was_given():
    state, _ = dialogs.step(None, {"text": ""})
    state, _, _ = dialogs.pop_signals(state)
    before = json.dumps(state, sort_keys=True)
    dialogs.step(state, {"text": "Fresno"})
    assert json.dumps(state, sort_keys=True) == before


def test_a_first_message_in_spanish_starts_in_spanish():
    for text in ("hola", "AYUDA", "Necesito información", "español"):
        state, replies = dialogs.step(None, {"text": text})
        assert state["lang"] == "es", text
        assert "For English" in replies[0]["text"]
    state, _ = dialogs.step(None, {"text": "hello"})
    assert state["lang"] == "en"
