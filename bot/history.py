"""The web chat's transcript, kept in Redis beside the person's dialog state.

The browser's cookie holds only an opaque random id; what was said lives here, under the
same keyed hash as the session (``clearline:{h}:t``, so no key holds the id itself and a
Redis Cluster keeps it in the session's slot), with the session's TTL renewed on every
write. Erasing the conversation (DELETE, STOP) deletes it.

Each entry is a small JSON object: ``{"who": "me", "text"}`` for the person, or a reply
``{"who": "bot", "text", "choices", "card"?, "progress"?}``.
"""

from __future__ import annotations

import json
from typing import Any

from bot.store import SessionStore

MAX_ENTRIES = 300  # a long conversation keeps its most recent entries
CHANNEL = "web"


def _key(store: SessionStore, sender: str) -> str:
    return store.person(CHANNEL, sender).key("t")


def load(store: SessionStore, sender: str) -> list[dict]:
    """The whole transcript, oldest first (one round trip); [] when there is none."""
    return [e for e in map(_decode, store.redis.lrange(_key(store, sender), 0, -1)) if e]


def last(store: SessionStore, sender: str) -> dict | None:
    """The latest entry (one round trip)."""
    return _decode(store.redis.lindex(_key(store, sender), -1))


def append(store: SessionStore, sender: str, entries: list[dict]) -> None:
    """Add ``entries`` and renew the TTL, in one atomic round trip."""
    if not entries:
        return
    key = _key(store, sender)
    pipe = store.redis.pipeline(transaction=True)
    pipe.rpush(key, *[json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in entries])
    pipe.ltrim(key, -MAX_ENTRIES, -1)
    pipe.expire(key, store.ttl)
    pipe.execute()


def erase(store: SessionStore, sender: str) -> None:
    """Forget the transcript."""
    store.redis.delete(_key(store, sender))


def _decode(raw: Any) -> dict | None:
    if raw is None:
        return None
    try:
        entry = json.loads(raw)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) else None
