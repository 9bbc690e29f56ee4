"""The session store: each person's dialog state in Redis, under a keyed hash of their id.

Keys (``h`` is HMAC-SHA256(SECRET_KEY, "channel:sender"), 32 hex characters, so no key
ever holds a phone number or chat id; the ``{h}`` hash tag keeps one person's keys in one
Redis Cluster slot, so on a cluster each script below touches a single slot):

- ``clearline:{h}:s``: a hash with the dialog state (``st``, JSON), a version token
  (``v``, for optimistic locking), a message count (``n``) and the last message ids seen
  (``m``, keyed hashes, for de-duplication). TTL: ``SESSION_TTL_DAYS``, renewed on every
  write.
- ``clearline:{h}:r``: the rate-limit counter of the current window (TTL: the window).
- ``clearline:{h}:x``: present while the person has opted out (STOP); holds only the
  dialog's "stopped" state (language, no answers), so the dialog can tell START from
  anything else (TTL: ``OPTOUT_TTL_DAYS``).

A message costs two scripts: ``begin`` (duplicate check, rate limit, opt-out flag, the
state and the SMS-pumping count, in one round trip) and ``commit`` (compare the version
read by ``begin`` and write the new state, or erase, in one round trip); a step with stat
events adds a third, ``count`` (the aggregate counters of ``bot.stats``). When another
message from the same person committed in between, ``commit`` changes nothing and the
caller steps again on the fresh state. All are atomic, so a crash or a Redis outage never
leaves half a write.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.cluster import RedisCluster
from redis.retry import Retry

PREFIX = "clearline"
RATE_WINDOW_SECONDS = 60
SEEN_IDS = 16  # message ids remembered per person for de-duplication

# KEYS[4], when given: the group's distinct-sender count (see ``_COUNT_GROUP``), one
# sender more (ARGV[5]) with its TTL (ARGV[6]); the count is the 'ok' reply's last item.
_BEGIN = """
local senders = 0
if KEYS[4] then
  redis.call('PFADD', KEYS[4], ARGV[5])
  redis.call('EXPIRE', KEYS[4], ARGV[6])
  senders = redis.call('PFCOUNT', KEYS[4])
end
local f = redis.call('HMGET', KEYS[1], 'v', 'n', 'st', 'm')
if ARGV[1] ~= '' and f[4] and string.find(' ' .. f[4] .. ' ', ' ' .. ARGV[1] .. ' ', 1, true)
then
  return {'dup'}
end
if ARGV[4] == '1' then
  local count = redis.call('INCR', KEYS[2])
  if redis.call('TTL', KEYS[2]) < 0 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
  local over = count - tonumber(ARGV[2])
  if tonumber(ARGV[2]) > 0 and over > 0 then return {'rate', over} end
end
return {'ok', f[1] or '', f[2] or '0', f[3] or '', redis.call('GET', KEYS[3]) or '', senders}
"""

_COMMIT = """
local v = redis.call('HGET', KEYS[1], 'v') or ''
if v ~= ARGV[1] then return 0 end
local mode = ARGV[2]
if mode == 'erase' then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  return 1
end
if mode == 'optout' then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[3], ARGV[4], 'EX', ARGV[8])
  return 1
end
if mode == 'optin' then redis.call('DEL', KEYS[3]) end
local seen = redis.call('HGET', KEYS[1], 'm') or ''
if ARGV[6] ~= '' then
  local ids = {}
  for id in string.gmatch(seen, '%S+') do table.insert(ids, id) end
  table.insert(ids, ARGV[6])
  while #ids > tonumber(ARGV[7]) do table.remove(ids, 1) end
  seen = table.concat(ids, ' ')
end
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0') + 1
redis.call('HSET', KEYS[1], 'v', ARGV[3], 'n', n, 'st', ARGV[4], 'm', seen)
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""

# Aggregate counters (``bot.stats``): ARGV[1] the TTL, then (key index, field) pairs, each
# field +1; every key touched gets the TTL. One command, atomic: no counter without a TTL.
_COUNT_STATS = """
for i = 2, #ARGV, 2 do redis.call('HINCRBY', KEYS[tonumber(ARGV[i])], ARGV[i + 1], 1) end
for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], ARGV[1]) end
return #KEYS
"""

# One sender more in a group's distinct-sender count (HyperLogLog); the count, with a TTL.
_COUNT_GROUP = """
redis.call('PFADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return redis.call('PFCOUNT', KEYS[1])
"""


@dataclass(frozen=True)
class Snapshot:
    """What ``begin`` found: a duplicate, a rate-limited sender, or the state to step."""

    status: str  # "ok" | "duplicate" | "rate_limited" | "throttled"
    state: dict | None = None
    version: str = ""
    count: int = 0  # messages committed in this session so far
    opted_out: bool = False  # then ``state`` is the dialog's "stopped" state
    over_limit: int = 0  # messages over the limit in this window (1: the first one)


@dataclass(frozen=True)
class Person:
    """One person on one channel, known only by the keyed hash of their sender id."""

    channel: str
    digest: str

    def key(self, kind: str) -> str:
        return f"{PREFIX}:{{{self.digest}}}:{kind}"

    @property
    def keys(self) -> list[str]:
        """Every key we may hold on this person: session, rate counter, opt-out flag."""
        return [self.key("s"), self.key("r"), self.key("x")]


class SessionStore:
    """Dialog state per person in Redis, with TTLs, de-duplication and a rate limit."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        secret_key: str,
        ttl_days: int = 30,
        optout_ttl_days: int = 365,
        rate_limit: int = 20,
        rate_window: int = RATE_WINDOW_SECONDS,
        pump_limit: int = 0,
        pump_window: int = 600,
    ) -> None:
        self.redis = client
        self._secret = secret_key.encode("utf-8")
        self.ttl = int(ttl_days) * 86400
        self.optout_ttl = int(optout_ttl_days) * 86400
        self.rate_limit = int(rate_limit)
        self.rate_window = int(rate_window)
        self.pump_limit = int(pump_limit)  # new senders a group may bring per window; 0: off
        self.pump_window = max(int(pump_window), 1)
        self._begin = client.register_script(_BEGIN)
        self._commit = client.register_script(_COMMIT)
        self._count_group = client.register_script(_COUNT_GROUP)
        self._count_stats = client.register_script(_COUNT_STATS)

    @classmethod
    def from_config(cls, config: dict) -> SessionStore:
        """A store on ``REDIS_URL`` (or the embedded Redis) with the configured limits."""
        url = config.get("REDIS_URL")
        options: dict[str, Any] = {}
        if not url:
            from bot import redis_embedded

            url = redis_embedded.url(config["DATA_DIR"])
            options["client_name"] = redis_embedded.client_name()
        # Fail fast when Redis is down: the person is asked to try again in a moment.
        options.update(socket_timeout=2.0, socket_connect_timeout=1.0,
                       retry=Retry(ExponentialWithJitterBackoff(base=0.01, cap=0.1), retries=2))
        try:
            if config.get("REDIS_CLUSTER"):
                client: redis.Redis | RedisCluster = RedisCluster.from_url(url, **options)
            else:
                client = redis.Redis.from_url(url, health_check_interval=30, **options)
        except (ValueError, redis.exceptions.RedisClusterException) as exc:
            from bot.config import ConfigError

            raise ConfigError(f"REDIS_URL: {exc}") from exc
        return cls(
            client,
            secret_key=config["SECRET_KEY"],
            ttl_days=config["SESSION_TTL_DAYS"],
            optout_ttl_days=config["OPTOUT_TTL_DAYS"],
            rate_limit=config["RATE_LIMIT_PER_MINUTE"],
            pump_limit=config.get("SMS_PUMP_LIMIT", 0),
            pump_window=config.get("SMS_PUMP_WINDOW_SECONDS", 600),
        )

    def _hash(self, text: str) -> str:
        return hmac.new(self._secret, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def person(self, channel: str, sender: str) -> Person:
        """The keyed-hash identity of ``sender`` on ``channel``."""
        return Person(channel, self._hash(f"{channel}:{sender}")[:32])

    def message_key(self, message_id: str | None) -> str:
        """The keyed hash under which a message id is remembered ("" for no id)."""
        return self._hash(f"msg:{message_id}")[:16] if message_id else ""

    def group_key(self, group: str) -> str:
        """The current window's set of senders seen from ``group`` (a keyed hash of it)."""
        window = int(time.time()) // self.pump_window
        return f"{PREFIX}:{{g{self._hash(f'group:{group}')[:16]}}}:p{window}"

    def begin(self, person: Person, message_id: str | None, *, count: bool = True,
              group: str | None = None) -> Snapshot:
        """One round trip: duplicate check, rate limit (when ``count``), opt-out, state.

        ``group`` (e.g. an SMS number's prefix): the sender is also counted among the
        distinct senders of that group this window, in the same round trip; when there are
        more than ``pump_limit``, a sender we hold nothing on gets status "throttled".
        """
        args = [self.message_key(message_id), self.rate_limit, self.rate_window,
                "1" if count else "0"]
        senders = 0
        if group and self.pump_limit:
            reply, senders = self._begin_counted(person, args, self.group_key(group))
        else:
            reply = self._begin(keys=person.keys, args=args)
        kind = _text(reply[0])
        if kind == "dup":
            return Snapshot("duplicate")
        if kind == "rate":
            return Snapshot("rate_limited", over_limit=int(reply[1]))
        stopped = _load_state(_text(reply[4]))
        if senders > self.pump_limit and stopped is None and not _text(reply[1]):
            return Snapshot("throttled")
        return Snapshot(
            "ok",
            state=stopped if stopped is not None else _load_state(_text(reply[3])),
            version=_text(reply[1]),
            count=int(reply[2] or 0),
            opted_out=stopped is not None,
        )

    def _begin_counted(self, person: Person, args: list, group_key: str) -> tuple[Any, int]:
        """``begin`` and the group's sender count in the same script: still one round trip.

        On Redis Cluster (the group key lives in another slot, which one script may not
        touch) the count is a round trip of its own.
        """
        window = self.pump_window * 2
        if isinstance(self.redis, RedisCluster):
            senders = self._count_group(keys=[group_key], args=[person.digest, window])
            return self._begin(keys=person.keys, args=args), int(senders)
        reply = self._begin(keys=[*person.keys, group_key], args=[*args, person.digest, window])
        return reply, int(reply[5]) if _text(reply[0]) == "ok" else 0

    def commit(
        self,
        person: Person,
        snapshot: Snapshot,
        state: dict | None,
        *,
        message_id: str | None = None,
        mode: str = "save",
    ) -> bool:
        """One round trip: write ``state`` if nobody else wrote since ``snapshot``.

        ``mode``: "save", "optin" (save and forget the opt-out), "optout" (forget the
        session, keep ``state`` as the opt-out marker) or "erase" (forget everything).
        Returns False, changing nothing, when the version moved on (the caller steps again).
        """
        body = json.dumps(state or {}, ensure_ascii=False, separators=(",", ":"))
        done = self._commit(
            keys=person.keys,
            args=[snapshot.version, mode, secrets.token_hex(6), body, self.ttl,
                  self.message_key(message_id), SEEN_IDS, self.optout_ttl],
        )
        return bool(done)

    def count(self, bumps: list[tuple[str, str]], ttl: int) -> None:
        """One round trip: add 1 to each ``(key, field)`` counter and give every key
        touched the TTL ``ttl`` (seconds), atomically (``bot.stats.increments``)."""
        if not bumps:
            return
        index: dict[str, int] = {}
        args: list[Any] = [ttl]
        for name, field in bumps:
            args += [index.setdefault(name, len(index) + 1), field]
        self._count_stats(keys=list(index), args=args)

    def peek(self, channel: str, sender: str) -> dict | None:
        """The saved dialog state of ``sender`` (one round trip; no side effects)."""
        raw = self.redis.hget(self.person(channel, sender).key("s"), "st")
        return _load_state(_text(raw) if raw is not None else "")

    def erase(self, channel: str, sender: str) -> None:
        """Forget everything held on ``sender`` (session, counters, opt-out flag)."""
        self.redis.delete(*self.person(channel, sender).keys)

    def ping(self) -> bool:
        """True when Redis answers."""
        try:
            return bool(self.redis.ping())
        except redis.RedisError:
            return False


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _load_state(raw: str) -> dict | None:
    if not raw:
        return None
    try:
        state = json.loads(raw)
    except ValueError:
        return None
    return state if isinstance(state, dict) and state else None
