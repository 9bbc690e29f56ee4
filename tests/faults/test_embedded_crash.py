"""The embedded Redis under a crash and under several ``clearline serve``: a kill -9 of the
web process and of the embedded Redis mid-conversation loses at most the last second; a
``clearline serve`` that stops while another runs leaves the shared Redis running."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import redis
import twilio_client
from procfile_server import free_port, wait_healthy

from bot import redis_embedded
from bot.store import SessionStore

ROOT = Path(__file__).resolve().parents[2]
SECRET = "crash-test-secret"


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "TELEGRAM_"))}
    env.update(PYTHONPATH=str(ROOT), TWILIO_AUTH_TOKEN=twilio_client.AUTH_TOKEN,
               SECRET_KEY=SECRET, PUBLIC_URL="", WEB_CONCURRENCY="2",
               XDG_CONFIG_HOME=str(tmp_path / "config"),
               PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    env.update(extra)
    return env




def send(base: str, phone: str, text: str) -> list[str]:
    form = twilio_client.params(phone, text, twilio_client.new_sid())
    headers = {"X-Twilio-Signature": twilio_client.sign(base + "/sms", form)}
    response = httpx.post(base + "/sms", data=form, headers=headers, timeout=10)
    assert response.status_code == 200
    return twilio_client.messages(response.text)


def embedded_pid(data: Path) -> int:
    registry = json.loads((data / "redis" / "clearline.rdb.settings").read_text())
    client = redis.Redis(unix_socket_path=registry["unixsocket"])
    return int(client.info("server")["process_id"])


def test_kill_9_mid_conversation_loses_at_most_the_last_second(tmp_path):
    port = free_port()
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4", "--bind",
         f"127.0.0.1:{port}", "bot.app:create_app()"],
        cwd=tmp_path, env=env_for(tmp_path), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    data = tmp_path / "var"
    base = f"http://127.0.0.1:{port}"
    texts = ["Hi", "Fresno", "Had it", "2010", "Misdemeanor"]
    phones = [f"+1213555{n:04d}" for n in range(300, 304)]
    try:
        wait_healthy(base, timeout=60)
        for text in texts:
            for phone in phones:
                assert send(base, phone, text)
        time.sleep(1.5)  # older than a second: must survive
        answered_at = time.monotonic()
        assert send(base, phones[0], "21 or older")  # the last second: may be lost
    finally:
        pid = embedded_pid(data)
        os.killpg(web.pid, signal.SIGKILL)
        os.kill(pid, signal.SIGKILL)
        web.wait(timeout=10)
    killed_after = time.monotonic() - answered_at
    try:
        url = redis_embedded.url(data)  # a new server on the same data
        store = SessionStore(redis.Redis.from_url(url), secret_key=SECRET)
        for phone in phones:
            saved = int(store.redis.hget(store.person("sms", phone).key("s"), "n") or 0)
            assert saved >= len(texts), (phone, saved)  # before: 0 (an RDB a minute)
        assert killed_after < 1.0
    finally:
        redis_embedded.stop(data)


def serve(tmp_path: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
                            cwd=tmp_path, env=env_for(tmp_path, WEB_CONCURRENCY="1"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def test_one_serve_leaving_does_not_stop_redis_under_another(tmp_path):
    first_port, second_port = free_port(), free_port()
    first = serve(tmp_path, first_port)
    try:
        wait_healthy(f"http://127.0.0.1:{first_port}", timeout=60)
        second = serve(tmp_path, second_port)
        try:
            base = f"http://127.0.0.1:{second_port}"
            wait_healthy(base, timeout=60)
            assert send(base, "+13105550190", "Hi")
            first.send_signal(signal.SIGTERM)
            assert first.wait(timeout=30) == 0
            time.sleep(0.5)
            health = httpx.get(base + "/healthz", timeout=5)
            assert health.status_code == 200 and health.json()["redis"] == "ok"
            assert send(base, "+13105550190", "Fresno")
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=30) == 0
    finally:
        if first.poll() is None:
            first.kill()
    assert not redis_embedded.stop(tmp_path / "var")  # the last one out stopped it
