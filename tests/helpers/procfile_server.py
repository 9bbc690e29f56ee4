"""The real app under gunicorn with the Procfile's settings, on 127.0.0.1 and a free port.

The fault tests that need several worker processes use it, and so do the benchmarks
(``bench/benchlib.py`` takes it from here: one copy). Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception as exc:  # still starting
            last = exc
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start: {last!r}")


def wait_healthy(base: str, timeout: float = 30.0) -> dict:
    """Poll ``base``'s /healthz until it answers 200; return what it said."""
    import httpx  # as in Gunicorn.start: the benchmarks load this module too

    said: dict = {}

    def healthy() -> bool:
        response = httpx.get(base + "/healthz", timeout=2)
        if response.status_code == 200:
            said.update(response.json())
        return bool(said)

    wait_until(healthy, base, timeout)
    return said


_VAR = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)")


def procfile_web(env: dict[str, str]) -> list[str]:
    """The Procfile's ``web:`` command, variables expanded from ``env``, split into argv."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            command = line.split(":", 1)[1].strip()
            break
    else:  # pragma: no cover
        raise RuntimeError("no web: line in the Procfile")

    def expand(match: re.Match) -> str:
        name = match.group(1) or match.group(3)
        default = match.group(2) or ""
        return env.get(name) or default

    return shlex.split(_VAR.sub(expand, command))


def gunicorn_argv(app_target: str, port: int, env: dict[str, str],
                  extra_path: str | None = None) -> list[str]:
    """The Procfile's web command on 127.0.0.1:``port`` serving ``app_target``.

    Only the bind address (loopback, never all interfaces) and, for the baseline, the
    application change; workers, threads and every other setting stay the Procfile's.
    """
    argv = procfile_web({**os.environ, **env, "PORT": str(port)})  # WEB_CONCURRENCY...
    if argv[0] != "gunicorn":  # pragma: no cover
        raise RuntimeError(f"the Procfile's web process is not gunicorn: {argv[0]}")
    out = [sys.executable, "-m", "gunicorn"]
    rest = argv[1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg in ("--bind", "-b"):
            out += [arg, f"127.0.0.1:{port}"]
            i += 2
            continue
        if arg.startswith("--bind="):
            out.append(f"--bind=127.0.0.1:{port}")
        elif arg == "bot.app:create_app()" or i == len(rest) - 1:
            out.append(app_target)
        else:
            out.append(arg)
        i += 1
    if extra_path:
        out[3:3] = ["--pythonpath", extra_path]
    if _has_control_socket():  # gunicorn >= 24: two servers at once must not share one
        out[3:3] = ["--no-control-socket"]
    return out


def _has_control_socket() -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS)


@dataclass
class Gunicorn:
    """A gunicorn process serving ``target`` with the Procfile's settings."""

    target: str
    env: dict[str, str]
    extra_path: str | None = None
    port: int = field(default_factory=free_port)
    log_path: Path = field(default_factory=lambda: Path(tempfile.mkstemp(
        prefix="clearline-bench-gunicorn-", suffix=".log")[1]))
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def argv(self) -> list[str]:
        return gunicorn_argv(self.target, self.port, self.env, self.extra_path)

    def start(self) -> Gunicorn:
        import httpx

        env = dict(os.environ, **self.env)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(lambda: httpx.get(self.url + "/healthz", timeout=2).status_code == 200,
                   f"gunicorn {self.target} (log: {self.log_path})", timeout=60)
        return self

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)  # gunicorn's graceful stop, workers included
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")
