"""A TCP proxy in front of a Redis on a unix socket that can lose Redis's answers.

``drop_replies_to(marker)`` arms it: the next command carrying ``marker`` (e.g. a script's
SHA-1 in EVALSHA) reaches Redis and runs there, but its answer is thrown away and the
connection closed, as when a network drops it or a stall outlasts the socket timeout.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class LossyRedisProxy:
    """127.0.0.1:<port> -> the unix socket ``target``; ``url`` is what REDIS_URL should be."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.marker: bytes | None = None
        self.dropped = 0  # answers thrown away
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def drop_replies_to(self, marker: bytes, times: int = 1) -> None:
        with self._lock:
            self.marker, self._left = marker, times

    def close(self) -> None:
        self._closing = True
        with contextlib.suppress(OSError):
            self._listener.close()

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.connect(self.target)
            state = {"drop": False}
            threading.Thread(target=self._up, args=(client, server, state), daemon=True).start()
            threading.Thread(target=self._down, args=(server, client, state),
                             daemon=True).start()

    def _up(self, client: socket.socket, server: socket.socket, state: dict) -> None:
        """Commands, client to Redis; marks the connection when an armed command passes."""
        with contextlib.suppress(OSError):
            while data := client.recv(65536):
                with self._lock:
                    if self.marker and self.marker in data and self._left > 0:
                        state["drop"] = True
                server.sendall(data)
        _close(client, server)

    def _down(self, server: socket.socket, client: socket.socket, state: dict) -> None:
        """Answers, Redis to client; loses the answer to an armed command (not an error
        such as NOSCRIPT, after which the command did not run)."""
        with contextlib.suppress(OSError):
            while data := server.recv(65536):
                if state["drop"] and not data.startswith(b"-"):
                    with self._lock:
                        self._left -= 1
                        self.dropped += 1
                        if self._left <= 0:
                            self.marker = None
                    break
                state["drop"] = False if data.startswith(b"-") else state["drop"]
                client.sendall(data)
        _close(client, server)


def _close(*sockets: socket.socket) -> None:
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            sock.close()
