"""Redis at ``maxmemory`` (noeviction, it refuses every write that needs memory): STOP,
START and DELETE still work, on the bundled redis-server and on Debian's when installed."""

from __future__ import annotations

import shutil

import pytest
import redis
import twilio_client
from redis_process import RedisProcess, redis_binary

BINARIES = [redis_binary()] + ([shutil.which("redis-server")]
                               if shutil.which("redis-server") else [])


def _name(path: str) -> str:
    return "debian" if path.startswith("/usr") else "bundled"


@pytest.fixture(params=BINARIES, ids=_name)
def full_redis(request):
    server = RedisProcess(binary=request.param).start()
    yield server
    server.close()


def fill(client: redis.Redis) -> None:
    """Fill Redis to its (lowered) maxmemory: the next write that needs memory is refused."""
    used = int(client.info("memory")["used_memory"])
    client.config_set("maxmemory-policy", "noeviction")
    client.config_set("maxmemory", used + 256 * 1024)
    with pytest.raises(redis.exceptions.OutOfMemoryError):
        for i in range(10_000):
            client.set(f"filler:{i}", "x" * 1024, ex=600)
    used = int(client.info("memory")["used_memory"])
    client.config_set("maxmemory", used - 64 * 1024)  # over it, whatever buffers come and go


def test_stop_start_delete_work_when_redis_is_full(make_app, full_redis):
    app = make_app(REDIS_URL=full_redis.url, SMS_PUMP_LIMIT=5)
    store = app.extensions["clearline"].store
    sms = twilio_client.TwilioSender(app.test_client())
    talking, stopping, erasing, brand_new = (f"+1626555{n:04d}" for n in range(100, 104))
    for phone in (talking, stopping, erasing):
        assert sms.send(phone, "Hi").messages
        assert sms.send(phone, "Fresno").messages
    assert sms.send(stopping, "STOP").messages
    fill(full_redis.client())
    # an ordinary answer cannot be saved: the person is asked to try again later
    assert "try again" in sms.send(talking, "Had it").text
    # STOP is recorded: from a person in a conversation and from a brand-new number
    for phone in (talking, brand_new):
        reply = sms.send(phone, "STOP")
        assert reply.messages and "START" in reply.text
        assert store.redis.exists(store.person("sms", phone).key("x"))
        assert store.peek("sms", phone) is None
        assert sms.send(phone, "Hi").messages == []  # and honoured: no more messages
    # START opts back in
    reply = sms.send(stopping, "START")
    assert "Welcome back" in reply.text
    assert not store.redis.exists(store.person("sms", stopping).key("x"))
    # DELETE asks to confirm, and the confirmation erases everything
    assert "Erase everything" in sms.send(erasing, "DELETE").text
    assert "erased everything" in sms.send(erasing, "1").text
    assert not any(store.redis.exists(k) for k in store.person("sms", erasing).keys)
