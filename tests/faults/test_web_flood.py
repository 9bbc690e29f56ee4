"""A web session flood: replaying one cookie, or fetching fresh cookies without end, keeps
a bounded number of keys in Redis and counts a referral code's starts once a session."""

from __future__ import annotations

import re

from bot import stats

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def page(client, path="/?ref=VICTIMORG") -> str:
    return CSRF_META.search(client.get(path).get_data(as_text=True)).group(1)


def chat(client, token, text="hi", addr="203.0.113.9"):
    return client.post("/api/chat", json={"text": text}, headers={"X-CSRF-Token": token},
                       environ_base={"REMOTE_ADDR": addr})


def keys(store) -> list[bytes]:
    return list(store.redis.scan_iter("clearline:*", count=1000))


def started(store, code="VICTIMORG") -> int:
    return stats.read(store.redis)["refs"].get(code, {}).get("started", 0)


def test_one_cookie_replayed_is_one_session(make_app):
    app = make_app(RATE_LIMIT_PER_MINUTE=20)
    store = app.extensions["clearline"].store
    client = app.test_client()
    token = page(client)
    cookie = client.get_cookie("session").value
    answered = 0
    for _ in range(300):
        client.set_cookie("session", cookie)  # the same cookie, every time
        response = chat(client, token)
        assert response.status_code == 200
        answered += not response.get_json().get("notice")
    assert answered <= 21  # one sender: the rate limit applies (before: every one answered)
    assert len([k for k in keys(store) if b"{stats}" not in k]) <= 5  # s r t + 2 (was 600+)
    assert started(store) == 1  # before: 300


def test_fresh_cookies_from_one_address_are_limited(make_app):
    app = make_app(WEB_SESSIONS_PER_ADDRESS=20, WEB_SESSIONS_GLOBAL=50)
    store = app.extensions["clearline"].store
    answered = 0
    for _ in range(150):
        client = app.test_client()  # a new browser each time
        response = chat(client, page(client))
        answered += not response.get_json().get("notice")
    assert 18 <= answered <= 22  # 20 (a HyperLogLog count, within a few)
    assert len([k for k in keys(store) if b"{stats}" not in k]) <= 3 * answered + 2  # s, r, t each
    assert started(store) == answered
    # another address may still start, until every client together reaches the global limit
    others = [chat(c, page(c), addr=f"198.51.100.{n}") for n in range(40)
              for c in [app.test_client()]]
    fresh = sum(not r.get_json().get("notice") for r in others)
    assert 27 <= fresh <= 33  # 50 in all (counted by HyperLogLog, in a sliding window)
    notice = others[-1].get_json()
    assert notice["notice"] and "try again" in notice["replies"][0]["text"]
