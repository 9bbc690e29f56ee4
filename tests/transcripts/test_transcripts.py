"""Whole conversations as data: every file in this folder is one transcript.

Each turn sends one message and checks what a person would notice: words in the
replies (case-insensitive), the choices offered, and, where it matters, the node the
conversation is at, facts recorded, effects (erase, opt-out) and stat events. Every SMS
reply must also stay within two segments.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import dialogs
from dialogs import sms

HERE = Path(__file__).parent
FILES = sorted(HERE.glob("*.yaml"))


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_there_are_enough_transcripts_in_both_languages():
    docs = [_load(p) for p in FILES]
    assert len(docs) >= 24
    langs = {turn_lang for d in docs for turn_lang in [d.get("lang", "en")]}
    assert langs == {"en", "es"}


def _fold(text: str) -> str:
    """Case and accents ignored: SMS may send á as a (see the SMS policy in docs/flows.md)."""
    return sms.fold(text).casefold()


def _event_names(events: list[dict]) -> list[str]:
    names = []
    for event in events:
        name = event["type"]
        if event["type"] == "verdict":
            name += f":{event['outcome']}"
        if event["type"] == "asked":
            name += f":{event['node']}"
        names.append(name)
    return names


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_transcript(path: Path):
    doc = _load(path)
    channel = doc.get("channel", "sms")
    state = doc.get("state")
    outcomes = []
    for n, turn in enumerate(doc["turns"], 1):
        event = {"text": turn["send"], "channel": channel}
        for key in ("ref", "time", "lang"):  # time: seconds (double sends); lang: a hint
            if key in turn:
                event[key] = turn[key]
        state, replies = dialogs.step(state, event)
        state, effects, events = dialogs.pop_signals(state)
        where = f"{path.name} turn {n} ({turn['send']!r})"
        if turn.get("silent"):  # a turn that must send nothing (each SMS is paid)
            assert replies == [], f"{where}: {replies}"
        else:
            assert replies, where
        said = "\n".join(r["text"] for r in replies)
        folded = _fold(said)
        for words in turn.get("expect", []):
            assert _fold(words) in folded, f"{where}: expected {words!r} in:\n{said}"
        for words in turn.get("not_expect", []):
            assert _fold(words) not in folded, f"{where}: did not expect {words!r} in:\n{said}"
        if "choices" in turn:
            labels = [_fold(c["label"]) for c in replies[-1]["choices"]]
            assert labels == [_fold(c) for c in turn["choices"]], f"{where}: choices {labels}"
        if "node" in turn:
            assert state["node"] == turn["node"], f"{where}: at {state['node']}"
        for key, value in (turn.get("facts") or {}).items():
            assert state["facts"].get(key) == value, f"{where}: facts {state['facts']}"
        if "effects" in turn:
            assert effects == turn["effects"], f"{where}: effects {effects}"
        names = _event_names(events)
        for name in turn.get("events", []):
            assert name in names, f"{where}: events {names}"
        outcomes += [e["outcome"] for e in events if e["type"] == "verdict"]
        if channel == "sms":
            for reply in replies:
                assert sms.segments(dialogs.render_sms(reply)) <= 2, f"{where}: {reply['text']}"
        assert dialogs.is_valid(state), where
    if "outcomes" in doc:
        assert outcomes == doc["outcomes"], f"{path.name}: outcomes {outcomes}"
