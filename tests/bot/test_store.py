"""The session store on a real Redis: round trips, TTLs, keyed hashes, optimistic locking."""

from __future__ import annotations

import threading

import redis
from redis.connection import ConnectionPool, UnixDomainSocketConnection

from bot.conversation import handle_message
from bot.store import SessionStore

PHONE = "+12135550188"


class CountingConnection(UnixDomainSocketConnection):
    """Counts the requests written to Redis (a pipeline or a script call is one)."""

    sent = 0
    lock = threading.Lock()

    def send_packed_command(self, command, check_health=True):
        with CountingConnection.lock:
            CountingConnection.sent += 1
        return super().send_packed_command(command, check_health)


def counting_store(redis_server, **kwargs) -> SessionStore:
    pool = ConnectionPool(connection_class=CountingConnection, path=str(redis_server.socket))
    kwargs.setdefault("rate_limit", 1000)
    return SessionStore(redis.Redis(connection_pool=pool), secret_key="k", **kwargs)


def trips(store, text, sender=PHONE, **kwargs):
    before = CountingConnection.sent
    result = handle_message(store, channel="sms", sender=sender, text=text, **kwargs)
    return CountingConnection.sent - before, result


def test_at_most_three_round_trips_per_message(redis_server, redis_url):
    store = counting_store(redis_server)
    trips(store, "Hi", sender="+10000000000")  # loads the scripts once
    measured = []
    for i, text in enumerate(["Hi", "Fresno", "1", "2010", "2", "BACK", "zzz", "STOP", "START"]):
        count, result = trips(store, text, message_id=f"SM{i}")
        assert result.status == "ok"
        assert count == result.round_trips <= 3, (text, count)
        measured.append(count)
    count, result = trips(store, "START", message_id="SM8")  # a repeat: one round trip
    assert result.status == "duplicate" and count == 1
    assert max(measured) == 3


def test_ttl_set_and_renewed_on_every_write(redis_url, redis_server):
    store = counting_store(redis_server, ttl_days=2)
    handle_message(store, channel="sms", sender=PHONE, text="Hi")
    key = store.person("sms", PHONE).key("s")
    assert 2 * 86400 - 5 < store.redis.ttl(key) <= 2 * 86400
    store.redis.expire(key, 100)
    handle_message(store, channel="sms", sender=PHONE, text="Fresno")
    assert store.redis.ttl(key) > 2 * 86400 - 5
    assert store.redis.ttl(store.person("sms", PHONE).key("r")) <= 120  # sliding: 2 windows


def test_keys_are_keyed_hashes_with_a_cluster_hash_tag(redis_url, redis_server):
    one = counting_store(redis_server)
    other = SessionStore(one.redis, secret_key="another-secret")
    a, b = one.person("sms", PHONE), other.person("sms", PHONE)
    assert a.digest != b.digest  # depends on SECRET_KEY, not guessable from the number
    assert one.person("telegram", PHONE).digest != a.digest
    for key in a.keys:
        assert key.startswith(f"clearline:{{{a.digest}}}:") and "2135550188" not in key
    # every key of one person lands in one Redis Cluster slot
    from redis.crc import key_slot

    assert len({key_slot(k.encode()) for k in a.keys}) == 1


def test_a_stale_commit_changes_nothing(redis_url, redis_server):
    store = counting_store(redis_server)
    person = store.person("sms", PHONE)
    first = store.begin(person, "SM1")
    second = store.begin(person, "SM2")
    assert store.commit(person, first, {"node": "a"}, message_id="SM1")
    assert not store.commit(person, second, {"node": "b"}, message_id="SM2")
    assert store.peek("sms", PHONE) == {"node": "a"}
    assert store.begin(person, "SM1").status == "duplicate"
    assert store.begin(person, "SM2").status == "ok"


def test_concurrent_handle_message_loses_nothing(redis_url, redis_server):
    store = counting_store(redis_server)
    handle_message(store, channel="web", sender="w1", text="Hi")
    results = []

    def send(i):
        results.append(handle_message(store, channel="web", sender="w1", text="REPEAT",
                                      message_id=f"m{i}"))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status for r in results].count("ok") == 30
    raw = store.redis.hget(store.person("web", "w1").key("s"), "n")
    assert int(raw) == 31


def test_unreadable_state_starts_over_politely(redis_url, redis_server):
    store = counting_store(redis_server)
    key = store.person("sms", PHONE).key("s")
    store.redis.hset(key, mapping={"v": "x", "n": 3, "st": "{not json", "m": ""})
    store.redis.expire(key, 100)
    result = handle_message(store, channel="sms", sender=PHONE, text="Hi")
    assert result.status == "ok" and result.replies
    assert store.peek("sms", PHONE)["node"] == "court"


def test_a_whole_sms_conversation_on_redis_cluster(make_app):
    """Every script and pipeline keeps to one hash slot: a real (one-node) Redis Cluster."""
    import dialog_script
    import twilio_client
    from redis_process import RedisProcess, cluster_port

    from bot import stats

    server = RedisProcess(cluster_port=cluster_port()).start()
    try:
        app = make_app(REDIS_URL=server.url, REDIS_CLUSTER=True)
        store = app.extensions["clearline"].store
        sms = twilio_client.TwilioSender(app.test_client())
        assert sms.send(PHONE, "Hi").messages
        dialog_script.run_to_verdict(lambda text: sms.send(PHONE, text),
                                     lambda: store.peek("sms", PHONE)["node"])
        assert stats.read(store.redis)["totals"]["completed"] == 1
        sms.send(PHONE, "DELETE")
        sms.send(PHONE, "1")
        keys = store.redis.keys("*")
        assert keys and all(not k.startswith(b"clearline:{" + store.person("sms", PHONE)
                                                .digest.encode()) for k in keys)
        assert all(store.redis.ttl(k) > 0 for k in keys)
    finally:
        server.close()


def test_a_finished_check_is_kept_only_a_day(redis_server, redis_url):
    """Once the summary is said (the dialog's end), the answers are not kept 30 days."""
    store = SessionStore(redis.Redis.from_url(redis_url), secret_key="k", ttl_days=30)
    person = store.person("sms", PHONE)
    snap = store.begin(person, None)
    assert store.commit(person, snap, {"node": "county", "done": []})
    assert store.redis.ttl(person.key("s")) > 29 * 86400
    snap = store.begin(person, None)
    assert store.commit(person, snap, {"node": "end", "done": [{"c": "Fresno"}]})
    assert 0 < store.redis.ttl(person.key("s")) <= 24 * 3600  # before: 30 days


def test_the_rate_limit_is_a_sliding_window(redis_server, redis_url):
    """A fixed window let the limit through at its end and the limit again at the next
    one's start: twice the limit within a moment."""
    import time

    store = SessionStore(redis.Redis.from_url(redis_url), secret_key="k", rate_limit=20,
                         rate_window=2)

    def burst(n: int) -> int:
        results = [handle_message(store, channel="web", sender="w", text="REPEAT")
                   for _ in range(n)]
        return sum(r.status == "ok" for r in results)

    time.sleep(2 - time.time() % 2 + 0.02)  # the start of a window
    started = time.monotonic()
    assert burst(1) == 1
    time.sleep(max(0.0, 1.9 - (time.monotonic() - started)))
    assert burst(19) == 19  # the limit reached at the window's end
    time.sleep(max(0.0, 2.08 - (time.monotonic() - started)))
    assert burst(20) <= 2  # a moment later, in the next window (before: 20)
