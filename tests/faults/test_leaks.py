"""The after-test checks of ``conftest.nothing_kept_or_logged`` can fail, and see real lines."""

from __future__ import annotations

from bot.logs import JsonFormatter


def test_the_log_check_sees_numbers_and_words(leak_finder):
    assert leak_finder(['{"event": "message", "from": "+14155550100"}'])
    assert leak_finder(['{"event": "message", "chat": 424242424}'])
    assert leak_finder(['{"event": "oops", "detail": "could not parse Fresno"}'])
    assert not leak_finder(['{"event": "message", "channel": "sms", "ms": 3.1}'])


def test_the_app_logs_each_message_without_what_it_held(sms, caplog, leak_finder):
    for text in ["Hi", "Fresno", "Had it", "Misdemeanor"]:
        assert sms.send("+14155550177", text).messages
    lines = [JsonFormatter().format(r) for r in caplog.records if r.getMessage() == "message"]
    assert len(lines) == 4 and all('"channel": "sms"' in line for line in lines)
    assert not leak_finder([line.split('"level"', 1)[1] for line in lines])


def test_keys_written_in_a_conversation_have_the_expected_shapes(sms, store):
    sms.send("+14155550178", "Hi")
    sms.send("+14155550178", "STOP")
    keys = sorted(k.decode() for k in store.redis.scan_iter())
    assert any(k.endswith(":x") for k in keys) and any(":{stats}:" in k for k in keys)
    # (the autouse check then matches every key against the known shapes)
