"""Aggregate counters: counted on the conversation path's own script, read back, exported
safely. On the session's shared Redis (``redis_server`` in tests/conftest.py)."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

import pytest

from bot import stats
from bot.store import SessionStore

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture()
def store(redis_url, redis_server):
    """A session store on the shared test Redis (emptied for each test)."""
    return SessionStore(redis_server.client(), secret_key="stats-tests")


@pytest.fixture()
def redis(store):
    return store.redis


def count(store, *, channel, ref, events):
    """What ``bot.conversation`` does with a step's stat events (at ``NOW``)."""
    store.count(stats.increments(channel=channel, ref=ref, events=events, now=NOW),
                store.stats_ttl)


def conversation(store, *, channel="web", ref=None, outcome="dismissed", county="Fresno"):
    events = [
        [{"type": "started"}, {"type": "asked", "node": "lang"}],
        [{"type": "asked", "node": "county"}],
        [{"type": "verdict", "outcome": outcome, "county": county}, {"type": "completed"}],
    ]
    for step in events:
        count(store, channel=channel, ref=ref, events=step)


def test_counts_go_to_the_week_channel_and_referral(store, redis):
    count(store, channel="web", ref="clinic1", events=[{"type": "started"}])
    started = redis.hgetall(stats.key("2026-W48", "started"))
    assert started == {b"all": b"1", b"ch:web": b"1", b"ref:CLINIC1": b"1"}


def test_every_stats_key_has_a_ttl_and_a_hash_tag(store, redis):
    conversation(store, ref="FAIR24")
    keys = redis.keys("clearline:{stats}:*")
    assert len(keys) == 5
    for name in keys:
        assert 0 < redis.ttl(name) <= 400 * 86400


def test_stats_ttl_days_sets_how_long_counts_live_and_how_far_back_they_are_read(redis):
    store = SessionStore(redis, secret_key="stats-tests", stats_ttl_days=10)
    count(store, channel="sms", ref=None, events=[{"type": "started"}])
    assert 9 * 86400 < redis.ttl(stats.key("2026-W48", "started")) <= 10 * 86400
    assert len(stats.read(redis, ttl_days=10, now=NOW)["weeks"]) == 2  # this week, the last
    assert len(stats.read(redis, now=NOW)["weeks"]) == 58  # the default: 400 days


def test_read_totals_by_channel_ref_week_funnel_outcome_and_county(store, redis):
    for _ in range(3):
        conversation(store, channel="web", ref="FAIR24")
    conversation(store, channel="sms", outcome="reduced", county="Los Angeles")
    count(store, channel="telegram", ref=None,  # someone who left after the first question
          events=[{"type": "started"}, {"type": "asked", "node": "lang"}])
    data = stats.read(redis, now=NOW)
    assert data["totals"] == {"started": 5, "completed": 4, "verdicts": 4}
    assert data["channels"]["web"] == {"started": 3, "completed": 3}
    assert data["channels"]["telegram"] == {"started": 1, "completed": 0}
    assert data["refs"] == {"FAIR24": {"started": 3, "completed": 3}}
    assert data["funnel"] == [{"node": "lang", "asked": 5}, {"node": "county", "asked": 4}]
    assert data["outcomes"] == {"dismissed": 3, "reduced": 1}
    assert data["counties"] == {"Fresno": 3, "Los Angeles": 1}
    assert data["weeks"][-1] == {"week": "2026-W48", "started": 5, "completed": 4}


def test_bad_events_and_refs_are_ignored_not_fatal(store, redis):
    count(store, channel="fax", ref="not a code!", events=[
        "junk", {"type": "asked", "node": None}, {"type": "nope"}, {"type": "started"},
        {"type": "verdict", "outcome": "=cmd()" * 20, "county": None},
    ])
    data = stats.read(redis, now=NOW)
    assert data["channels"] == {"other": {"started": 1, "completed": 0}}
    assert data["refs"] == {}
    assert data["counties"] == {"(unknown)": 1}
    assert all(len(name) <= 48 for name in data["outcomes"])


def test_csv_hides_counts_under_five(store, redis):
    for _ in range(12):
        conversation(store, ref="BIG")
    conversation(store, channel="sms", ref="SMALL", county="Kern")
    rows = stats.to_csv(stats.read(redis, now=NOW)).splitlines()
    assert rows[0] == "week,metric,group,name,count"
    assert "2026-W48,started,referral,BIG,10-14" in rows  # BIG + SMALL = all
    assert "2026-W48,started,referral,SMALL,<5" in rows
    assert "2026-W48,outcome,county,Kern,<5" not in rows
    assert "2026-W48,county,county,Kern,<5" in rows
    assert not any(re.search(r",[1-4]$", r) for r in rows)
    # 13 started, 12 on the web, 1 by SMS: the web count would give the SMS one away
    assert "2026-W48,started,total,all,13" in rows
    assert "2026-W48,started,channel,sms,<5" in rows
    assert "2026-W48,started,channel,web,10-14" in rows


def _ranges(text: str) -> range:
    if text == "<5":
        return range(1, 5)
    if "-" in text:
        low, high = text.split("-")
        return range(int(low), int(high) + 1)
    return range(int(text), int(text) + 1)


def _recoverable(cells: dict[str, str], total: str) -> list[str]:
    """The hidden cells whose value a reader can pin down from the shown total (brute force
    over every value each hidden cell may have)."""
    names = list(cells)
    possible: dict[str, set[int]] = {n: set() for n in names}
    for values in itertools.product(*(_ranges(cells[n]) for n in names)):
        if sum(values) in _ranges(total):
            for name, value in zip(names, values, strict=True):
                possible[name].add(value)
    return [n for n in names if cells[n] not in {str(v) for v in possible[n]}
            and len(possible[n]) == 1]


@pytest.mark.parametrize("counts", [
    {"web": 20, "sms": 3},
    {"web": 20, "sms": 3, "telegram": 7},
    {"web": 4, "sms": 4},
    {"web": 1, "sms": 1, "telegram": 1, "cli": 1, "other": 1},
    {"web": 5, "sms": 1},
    {"web": 40, "sms": 2, "telegram": 2},
    {"web": 9, "sms": 1, "telegram": 30},
])
def test_no_small_count_can_be_worked_out_from_a_total(counts):
    raw = {"2026-W48": {
        "started": {"all": sum(counts.values()), **{f"ch:{k}": v for k, v in counts.items()}},
        "completed": {}, "asked": {}, "outcome": {}, "county": {},
    }}
    rows = [r.split(",") for r in stats.to_csv(stats.summarize(raw)).splitlines()[1:]]
    shown = {name: count for _, _, group, name, count in rows if group == "channel"}
    total = next(count for _, _, group, _, count in rows if group == "total")
    assert all(shown[k] == "<5" for k, v in counts.items() if v < 5)
    assert _recoverable(shown, total) == []


def test_old_weeks_are_read_oldest_first():
    weeks = stats.weeks_back(3, NOW)
    assert weeks == ["2026-W46", "2026-W47", "2026-W48"]


def test_admin_funnel_follows_the_flow_and_counts_the_loss():
    from bot import admin

    data = stats.summarize({"2026-W48": {
        "started": {"all": 10}, "completed": {"all": 6},
        "asked": {"county": 8, "court": 10, "offense": 8, "level": 7},
        "outcome": {"likely_cleared": 6}, "county": {"Kern": 6},
    }})
    rows = admin.funnel(data)
    assert [r["label"] for r in rows] == [
        "Started", "Which court (state or other)?", "What was the charge?", "Which county?",
        "Felony or misdemeanor?", "Got an answer"]
    assert [r["lost"] for r in rows] == ["", "0", "<5", "0", "<5", "<5"]
    assert rows[-1]["note"] == "60%"
    assert admin.charts(data)["outcomes"][0]["label"] == "Likely cleared already"


def test_every_question_of_the_flow_has_a_plain_name():
    from bot import admin
    from dialogs import catalog
    from dialogs.flow import MAIN

    questions = [n.id for n in MAIN.nodes.values() if n.type == "question"]
    for lang in catalog.LANGS:
        assert [q for q in questions if not catalog.has(lang, f"ui.node.{q}")] == []
        assert all(admin.node_name(q, lang)[-1] == "?" or ":" in admin.node_name(q, lang)
                   for q in questions)
    assert admin.node_name("court", "es") == "¿Qué corte (estatal u otra)?"


def test_the_funnel_counts_people_never_over_100_percent():
    from bot import admin
    from bot.conversation import once_per_person

    counted = []
    # six people: each a check, then a second conviction that asks the same questions again
    for _ in range(6):
        state: dict = {}
        for events in ([{"type": "started"}, {"type": "asked", "node": "court"}],
                       [{"type": "asked", "node": "offense"}],
                       [{"type": "verdict", "outcome": "petition"}, {"type": "completed"}],
                       [{"type": "asked", "node": "court"}],
                       [{"type": "asked", "node": "offense"}],
                       [{"type": "verdict", "outcome": "petition"}]):
            counted += once_per_person(state, events)
            if any(e["type"] == "completed" for e in events):
                state = {"ok": 1}
    asked = [e["node"] for e in counted if e["type"] == "asked"]
    assert asked == 6 * ["court", "offense"]
    assert sum(e["type"] == "verdict" for e in counted) == 12  # convictions still counted
    data = stats.summarize({"2026-W48": {
        "started": {"all": 6}, "completed": {"all": 6},
        "asked": {n: asked.count(n) for n in asked},
        "outcome": {"petition": 12}, "county": {"(unknown)": 12},
    }})
    shares = [r["note"] for r in admin.funnel(data)]
    assert shares == ["100%"] * 4
