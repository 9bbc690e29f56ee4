"""Redis filling up: /healthz reports the pressure, the app warns in its log well before
Redis is full, and under ``volatile-ttl`` sessions are evicted while opt-outs are kept."""

from __future__ import annotations

import pytest
import redis
import twilio_client
from redis_process import RedisProcess


@pytest.fixture()
def small_redis():
    server = RedisProcess().start()
    yield server
    server.close()


def limit_to(client: redis.Redis, percent_used: float, policy: str) -> None:
    used = int(client.info("memory")["used_memory"])
    client.config_set("maxmemory-policy", policy)
    client.config_set("maxmemory", int(used * 100 / percent_used))


def test_healthz_reports_memory_pressure(make_app, small_redis):
    app = make_app(REDIS_URL=small_redis.url)
    client = app.test_client()
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["memory"]["pressure"] == "ok"
    limit_to(small_redis.client(), 85, "noeviction")
    high = client.get("/healthz")
    assert high.status_code == 200 and high.get_json()["memory"]["pressure"] == "high"
    used = int(small_redis.client().info("memory")["used_memory"])
    small_redis.client().config_set("maxmemory", used // 2)  # below what is used
    full = client.get("/healthz")
    assert full.status_code == 503 and full.get_json()["status"] == "full"  # before: ok


def test_the_log_warns_well_before_redis_is_full(make_app, small_redis, all_logs):
    app = make_app(REDIS_URL=small_redis.url)
    store = app.extensions["clearline"].store
    sms = twilio_client.TwilioSender(app.test_client())
    limit_to(small_redis.client(), 85, "volatile-lru")
    store._memory_checked = -1e9  # a minute has passed
    assert sms.send("+13105550170", "Hi").messages
    warned = [r for r in all_logs.records if r.getMessage() == "redis_memory_high"]
    assert warned and warned[0].fields["pressure"] == "high"
    assert "volatile-ttl" in warned[0].fields["advice"]  # opt-outs could go first


def test_under_volatile_ttl_sessions_go_and_opt_outs_stay(make_app, small_redis):
    app = make_app(REDIS_URL=small_redis.url, SMS_PUMP_LIMIT=0, RATE_LIMIT_PER_MINUTE=0)
    store = app.extensions["clearline"].store
    sms = twilio_client.TwilioSender(app.test_client())
    stopped = [f"+1555000{n:04d}" for n in range(40)]
    for phone in stopped:
        sms.send(phone, "Hi")
        assert "START" in sms.send(phone, "STOP").text
    client = small_redis.client()
    used = int(client.info("memory")["used_memory"])
    client.config_set("maxmemory-policy", "volatile-ttl")
    client.config_set("maxmemory", used + 100_000)
    answered = sum(bool(sms.send(f"+1666{n:07d}", "Hi").messages) for n in range(800))
    assert answered == 800  # nobody told "can't answer"
    assert int(client.info("stats")["evicted_keys"]) > 0  # sessions made room
    assert all(client.exists(store.person("sms", p).key("x")) for p in stopped)
