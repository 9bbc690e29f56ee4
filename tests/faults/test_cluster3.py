"""A real Redis Cluster of 3 masters (Debian's redis-server in cluster mode, joined with
``redis-cli --cluster create`` on 127.0.0.1): every channel's conversations, STOP,
DELETE, the stats and the limits work across the nodes; the round trips are measured."""

from __future__ import annotations

import shutil
import subprocess
import time

import dialog_script
import pytest
import redis
import twilio_client
from redis_process import RedisProcess, cluster_port

from bot import stats

SERVER, CLI = shutil.which("redis-server"), shutil.which("redis-cli")
pytestmark = pytest.mark.skipif(not (SERVER and CLI),
                                reason="needs Debian's redis-server and redis-cli")


@pytest.fixture(scope="module")
def cluster():
    nodes = [RedisProcess(cluster_port=cluster_port(), binary=SERVER, slots=False).start()
             for _ in range(3)]
    try:
        addresses = [f"127.0.0.1:{node.cluster_port}" for node in nodes]
        subprocess.run([CLI, "--cluster", "create", *addresses, "--cluster-replicas", "0",
                        "--cluster-yes"], check=True, capture_output=True, timeout=60)
        deadline = time.monotonic() + 30
        while not all(b"cluster_state:ok" in node.client().execute_command("CLUSTER", "INFO")
                      for node in nodes):
            assert time.monotonic() < deadline, "the cluster did not come up"
            time.sleep(0.1)
        yield nodes
    finally:
        for node in nodes:
            node.close()


def requests(nodes) -> tuple[int, int]:
    """(scripts run, other requests) on every node: a script call is one round trip; the
    commands a script runs inside are not requests (they are counted apart by Redis)."""
    scripts = setup = 0
    for node in nodes:
        for name, stat in node.client().info("commandstats").items():
            name = name.removeprefix("cmdstat_")
            if name == "evalsha":
                scripts += int(stat["calls"])
            elif name.startswith(("hello", "script", "cluster", "command", "ping")):
                setup += int(stat["calls"])
    return scripts, setup


def test_every_channel_on_a_three_master_cluster(make_app, cluster, all_logs):
    for node in cluster:
        node.client().flushall()
    app = make_app(REDIS_URL=cluster[0].url, REDIS_CLUSTER=True)
    store = app.extensions["clearline"].store
    sms = twilio_client.TwilioSender(app.test_client())
    phones = [f"+1213556{n:04d}" for n in range(12)]
    texts = ["Hi", "Fresno", "Had it", "2010", "Misdemeanor", "21 or older", "No"]
    before = requests(cluster)
    for phone in phones:  # a whole check each, nothing but the webhooks in between
        for text in texts:
            assert sms.send(phone, text).messages
    messages = len(phones) * len(texts)
    after = requests(cluster)
    scripts, setup = after[0] - before[0], after[1] - before[1]
    for phone in phones:
        dialog_script.run_to_verdict(lambda text, p=phone: sms.send(p, text),
                                     lambda p=phone: store.peek("sms", p)["node"])
    # every node holds some people: the keys really are spread over the three masters
    held = [len(list(node.client().scan_iter("clearline:*", count=1000))) for node in cluster]
    assert all(held), held
    assert stats.read(store.redis)["totals"]["completed"] >= len(phones)
    # STOP and DELETE on whichever node the person's slot lives
    assert "START" in sms.send(phones[0], "STOP").text
    assert store.redis.exists(store.person("sms", phones[0]).key("x"))
    sms.send(phones[1], "DELETE")
    assert "erased" in sms.send(phones[1], "1").text
    assert not any(store.redis.exists(k) for k in store.person("sms", phones[1]).keys)
    # the web chat's limits and the replayed save work across slots too
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    reply = client.post("/api/chat", json={"text": "hi"}, headers={"X-CSRF-Token": token})
    assert reply.status_code == 200 and reply.get_json()["replies"]
    trips = [r.fields["round_trips"] for r in all_logs.records
             if r.getMessage() == "message" and r.fields.get("status") == "ok"]
    per_message = scripts / messages
    print(f"\n3-master cluster: {messages} SMS messages from {len(phones)} people, "
          f"{scripts} script calls ({per_message:.2f} round trips a message) and {setup} "
          f"connection set-up requests; round trips logged: mean "
          f"{sum(trips) / len(trips):.2f}, max {max(trips)}")
    assert max(trips) <= 6  # a new web sender: begin, 2 group counts, begin, commit, stats
    assert per_message <= 3.5  # a known sender: begin, commit, stats
    for node in cluster:
        for key in node.client().scan_iter("clearline:*", count=1000):
            assert node.client().ttl(key) > 0
    assert isinstance(store.redis, redis.RedisCluster)
