"""Admin sign-in: failures limited per real client address and overall, a correct token
never counted as a failure, a random server-side session that sign-out ends, and a
signed-in session never locked out."""

from __future__ import annotations

import re

import pytest

TOKEN = "right-token-for-admin"


@pytest.fixture()
def make_app(tmp_path):
    from bot import redis_embedded
    from bot.app import create_app

    def make(**settings):
        return create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "SECRET_KEY": "k",
                           "ADMIN_TOKEN": TOKEN, **settings})

    yield make
    redis_embedded.stop(tmp_path)


def csrf(client) -> str:
    page = client.get("/admin").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, token, addr="203.0.113.5", **headers):
    return client.post("/admin", data={"csrf_token": csrf(client), "token": token},
                       environ_base={"REMOTE_ADDR": addr}, headers=headers)


def failures(app) -> list[int]:
    from bot.shared import get_store

    with app.app_context():
        redis = get_store().redis
        return sorted(int(redis.get(k)) for k in redis.scan_iter("clearline:{admin}:fail:*"))


def test_a_correct_token_is_never_counted_as_a_failure(make_app):
    app = make_app()
    client = app.test_client()
    for _ in range(10):
        assert sign_in(client, "wrong").status_code == 401
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    for _ in range(3):
        assert sign_in(client, TOKEN).status_code == 429  # locked: refused, not counted
        response = client.get("/admin/stats.csv", headers=bearer,
                              environ_base={"REMOTE_ADDR": "203.0.113.5"})
        assert response.status_code == 401
    assert failures(app) == [10]  # before: 13 (and the window restarted each time)


def test_sign_out_ends_the_session_and_the_cookie_holds_no_token_hash(make_app):
    import hashlib

    app = make_app()
    client = app.test_client()
    assert sign_in(client, TOKEN).status_code == 303
    cookie = client.get_cookie("session").value
    assert client.get("/admin").status_code == 200
    fingerprint = hashlib.sha256(b"clearline-admin:" + TOKEN.encode()).hexdigest()
    with client.session_transaction() as held:
        assert fingerprint not in str(dict(held))
    page = client.get("/admin").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/admin/logout", data={"csrf_token": token}).status_code == 303
    client.set_cookie("session", cookie)  # the cookie from before the sign-out, replayed
    assert client.get("/admin").status_code == 401  # before: 200


def test_a_signed_in_session_is_never_locked_out(make_app):
    app = make_app()
    admin, attacker = app.test_client(), app.test_client()
    assert sign_in(admin, TOKEN).status_code == 303
    for _ in range(12):
        sign_in(attacker, "guess")
    assert sign_in(attacker, TOKEN).status_code == 429
    assert admin.get("/admin").status_code == 200
    assert admin.get("/admin/stats.csv").status_code == 200


def test_failures_are_counted_per_real_address_and_overall(make_app):
    app = make_app(PROXY_HOPS=1)
    client = app.test_client()
    for _ in range(10):
        assert sign_in(client, "x", **{"X-Forwarded-For": "198.51.100.7"}).status_code == 401
    assert sign_in(client, TOKEN, **{"X-Forwarded-For": "198.51.100.7"}).status_code == 429
    assert sign_in(client, TOKEN, **{"X-Forwarded-For": "198.51.100.8"}).status_code == 303
    # a guesser who varies X-Forwarded-For: each address stays under its limit, but all
    # together reach the overall one (before: 1,000 guesses and more, never stopped)
    refused = [sign_in(app.test_client(), "x", **{"X-Forwarded-For": f"10.0.{n // 250}.{n % 250}"})
               .status_code for n in range(200)]
    assert refused.count(429) >= 1
    assert sign_in(app.test_client(), TOKEN,
                   **{"X-Forwarded-For": "192.0.2.1"}).status_code == 429
