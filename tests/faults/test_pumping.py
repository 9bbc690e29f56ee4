"""SMS pumping: a run of new senders from one number prefix is throttled, nobody else is."""

from __future__ import annotations

import time
from types import SimpleNamespace

import twilio_client


def trips(records) -> list[int]:
    return [r.fields["round_trips"] for r in records
            if r.getMessage() == "message" and "round_trips" in getattr(r, "fields", {})]


def test_many_new_senders_from_one_prefix_are_throttled(make_app, all_logs):
    app = make_app(SMS_PUMP_LIMIT=5, SMS_PUMP_WINDOW_SECONDS=3)
    store = app.extensions["clearline"].store
    sms = twilio_client.TwilioSender(app.test_client())
    regular = "+14155550100"
    time.sleep(3 - time.time() % 3 + 0.05)  # start at the beginning of a 3-second window
    assert sms.send(regular, "Hi").messages  # a person already talking to us
    run = [f"+1415555{n:04d}" for n in range(101, 121)]  # then a burst from the same block
    answered = [phone for phone in run if sms.send(phone, "Hi").messages]
    assert answered == run[:4]  # 5 distinct senders in the window, then silence
    for phone in run[4:]:
        assert store.peek("sms", phone) is None  # nothing processed or kept
        assert not store.redis.exists(store.person("sms", phone).key("s"))
    # the person already in a conversation carries on; other numbers are not affected
    assert store.peek("sms", regular)["node"] == "court"
    assert sms.send(regular, "Fresno").messages
    assert store.peek("sms", regular)["node"] != "court"
    assert sms.send("+15105550123", "Hi").messages
    assert sms.send("+447700900123", "Hi").messages
    # throttled answers are valid, empty TwiML (Twilio sends nothing) and cost no extra trip
    reply = sms.send(run[-1], "Hi again")
    assert reply.status == 200 and reply.messages == [] and "<Response" in reply.raw
    assert max(trips(all_logs.records)) <= 3
    statuses = [r.fields["status"] for r in all_logs.records if r.getMessage() == "message"]
    assert statuses.count("throttled") == len(run) - 4 + 1
    # the sliding window passes (this window and the one before): the block may start
    # conversations again
    time.sleep(6 - time.time() % 3 + 0.05)
    assert sms.send(run[10], "Hi").messages


def test_a_window_boundary_lets_no_second_limit_through(make_app, monkeypatch):
    """Fixed windows let a run bring the limit at the end of one window and the limit
    again at the start of the next: twice the limit within a moment. A sliding window
    counts the last window's senders too."""
    app = make_app(SMS_PUMP_LIMIT=10, SMS_PUMP_WINDOW_SECONDS=600)
    sms = twilio_client.TwilioSender(app.test_client())
    clock = [600 * 4_000_000 + 599.0]  # one second before a window ends
    monkeypatch.setattr("bot.store.time", SimpleNamespace(
        time=lambda: clock[0], sleep=time.sleep, monotonic=time.monotonic))
    run = [f"+1415556{n:04d}" for n in range(100, 140)]
    before = [p for p in run[:20] if sms.send(p, "Hi").messages]
    clock[0] += 2.0  # two seconds later: the next window
    after = [p for p in run[20:] if sms.send(p, "Hi").messages]
    assert len(before) == 10
    assert len(before) + len(after) <= 11  # fixed windows: 20


def test_the_guard_can_be_turned_off(make_app):
    app = make_app(SMS_PUMP_LIMIT=0)
    sms = twilio_client.TwilioSender(app.test_client())
    assert all(sms.send(f"+1415555{n:04d}", "Hi").messages for n in range(300, 312))
    store = app.extensions["clearline"].store
    assert not list(store.redis.scan_iter("clearline:{g*"))  # nothing counted


def test_prefix_counters_hold_no_number_and_expire(make_app):
    app = make_app(SMS_PUMP_LIMIT=50)
    store = app.extensions["clearline"].store
    sms = twilio_client.TwilioSender(app.test_client())
    for n in range(3):
        sms.send(f"+1628555{n:04d}", "Hi")
    keys = [k.decode() for k in store.redis.scan_iter("clearline:{g*")]
    assert len(keys) == 1
    assert "628555" not in keys[0] and "1628" not in keys[0]
    assert 0 < store.redis.ttl(keys[0]) <= 1202


def test_a_brand_new_senders_stop_is_recorded_while_the_prefix_is_throttled(make_app):
    app = make_app(SMS_PUMP_LIMIT=2)
    store = app.extensions["clearline"].store
    sms = twilio_client.TwilioSender(app.test_client())
    for n in range(4):
        sms.send(f"+1415557{n:04d}", "Hi")
    assert sms.send("+14155570010", "Hi").messages == []  # throttled
    stop = sms.send("+14155570011", "STOP")
    assert stop.messages and "START" in stop.text  # before: no reply, nothing recorded
    assert store.redis.exists(store.person("sms", "+14155570011").key("x"))
