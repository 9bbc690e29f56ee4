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

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
import zlib
from dataclasses import dataclass
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster
from redis.retry import Retry

from bot import redis_embedded, stats
from bot.config import ConfigError

PREFIX = "clearline"
log = logging.getLogger("clearline.store")
RATE_WINDOW_SECONDS = 60
SEEN_IDS = 16  # message ids remembered per person for de-duplication
FINISHED = ("end",)  # dialog nodes after the summary: the session is kept a short while

# KEYS: the session, the rate counter, the opt-out flag, then two per sender group (this
# window's and the last window's set of new senders, HyperLogLogs).
# ARGV: 1 message key, 2 rate limit, 3 rate window, 4 count the rate ('1'), 5 the rate
# window's index, 6 how far into it (0..1), 7 the sender's digest, 8 on Redis Cluster
# (where the groups are counted apart): '?' to answer 'new' for a new sender before
# anything is written, '1' when a group is over its limit; then three a group: its
# limit, how far into its window (0..1), its sets' TTL.
# A new sender (no session, not opted out) is refused ('throttled'), before anything is
# written, when a group already let in its limit of new senders in the sliding window;
# otherwise it is added to each group's set. The rate is a sliding-window count too:
# the last window's count, weighted by the part of it still inside the window, plus this
# one's. A repeated message id answers 'dup' with the replies it got, when it was the last.
# The counters are written with pcall: when Redis is full (maxmemory) and refuses them, the
# message still goes on to be read and stepped, so STOP, START and DELETE work then too.
_BEGIN = """
local f = redis.call('HMGET', KEYS[1], 'v', 'n', 'st', 'm', 'k')
if ARGV[1] ~= '' and f[4] and string.find(' ' .. f[4] .. ' ', ' ' .. ARGV[1] .. ' ', 1, true)
then
  if f[5] == ARGV[1] then return {'dup', redis.call('HGET', KEYS[1], 'a') or ''} end
  return {'dup', ''}
end
local stopped = redis.call('GET', KEYS[3]) or ''
if not f[1] and stopped == '' then
  if ARGV[8] == '?' then return {'new'} end
  if ARGV[8] == '1' then return {'throttled'} end
  for i = 4, #KEYS, 2 do
    local g = 9 + 3 * (i - 4) / 2
    local seen = redis.call('PFCOUNT', KEYS[i])
      + (1 - tonumber(ARGV[g + 1])) * redis.call('PFCOUNT', KEYS[i + 1])
    if seen >= tonumber(ARGV[g]) then return {'throttled'} end
  end
  for i = 4, #KEYS, 2 do
    redis.pcall('PFADD', KEYS[i], ARGV[7])
    redis.pcall('EXPIRE', KEYS[i], ARGV[9 + 3 * (i - 4) / 2 + 2])
  end
end
if ARGV[4] == '1' then
  local idx = tonumber(ARGV[5])
  local w = redis.call('HMGET', KEYS[2], 'w', 'c', 'p', 'o')
  local c, p = 0, 0
  if w[1] and tonumber(w[1]) == idx then c, p = tonumber(w[2]), tonumber(w[3])
  elseif w[1] and tonumber(w[1]) == idx - 1 then p = tonumber(w[2]) end
  c = c + 1
  redis.pcall('HSET', KEYS[2], 'w', idx, 'c', c, 'p', p)
  redis.pcall('EXPIRE', KEYS[2], ARGV[3] * 2)
  local limit = tonumber(ARGV[2])
  if limit > 0 and p * (1 - tonumber(ARGV[6])) + c > limit then
    if w[4] and tonumber(w[4]) >= idx - 1 then return {'rate', 2} end
    redis.pcall('HSET', KEYS[2], 'o', idx)
    return {'rate', 1}
  end
end
return {'ok', f[1] or '', f[2] or '0', f[3] or '', stopped}
"""

# ARGV: 1 the version ``begin`` read, 2 mode, 3 the new version (random, the same when
# this very call is sent again), 4 the state, 5 its TTL, 6 the message key (for the
# de-duplication list), 7 how many ids that list keeps, 8 the opt-out TTL, 9 the
# idempotency key (the message key, or a hash of the text and the version read), 10 the
# replies this step produced (compressed), 11 '1' for a save that must not be refused
# when Redis is full (the question that confirms DELETE).
# Idempotent: when this save was already applied (its answer was lost and the call comes
# again) it changes nothing and answers {2, the replies it recorded}; when the same message
# (same id, or same text on the same state) was saved by another call, {3, its replies}.
# A version that moved on otherwise: {0}.
# The opt-out and the erasure write before anything that could be refused: a DEL first
# (which Redis allows even at maxmemory), so the script has a side effect and the SET of
# the opt-out flag is not refused when Redis is full.
_COMMIT = """
local f = redis.call('HMGET', KEYS[1], 'v', 'k')
local v = f[1] or ''
local mode = ARGV[2]
if v ~= ARGV[1] then
  if v == ARGV[3] then return {2, redis.call('HGET', KEYS[1], 'a') or ''} end
  if ARGV[9] ~= '' and f[2] == ARGV[9] then
    return {3, redis.call('HGET', KEYS[1], 'a') or ''}
  end
  if v == '' and (mode == 'erase' or (mode == 'optout' and redis.call('EXISTS', KEYS[3]) == 1))
  then return {2, ''} end
  return {0}
end
if mode == 'erase' then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  return {1}
end
if mode == 'optout' then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[3], ARGV[4], 'EX', ARGV[8])
  return {1}
end
if mode == 'optin' then redis.call('DEL', KEYS[3]) end
if ARGV[11] == '1' then redis.call('HDEL', KEYS[1], 'a') end
local seen = redis.call('HGET', KEYS[1], 'm') or ''
if ARGV[6] ~= '' then
  local ids = {}
  for id in string.gmatch(seen, '%S+') do table.insert(ids, id) end
  table.insert(ids, ARGV[6])
  while #ids > tonumber(ARGV[7]) do table.remove(ids, 1) end
  seen = table.concat(ids, ' ')
end
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0') + 1
redis.call('HSET', KEYS[1], 'v', ARGV[3], 'n', n, 'st', ARGV[4], 'm', seen, 'k', ARGV[9],
           'a', ARGV[10])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return {1}
"""

# Aggregate counters (``bot.stats``): ARGV[1] the TTL, then (key index, field) pairs, each
# field +1; every key touched gets the TTL. One command, atomic: no counter without a TTL.
_COUNT_STATS = """
for i = 2, #ARGV, 2 do redis.call('HINCRBY', KEYS[tonumber(ARGV[i])], ARGV[i + 1], 1) end
for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], ARGV[1]) end
return #KEYS
"""

# Redis Cluster only (a group's sets live in another slot than the person's keys): one
# sender more in a group; 1 (not added) when the group is at its limit. KEYS: this window's and the
# last window's set; ARGV: the sender, the TTL, how far into the window, the limit.
_COUNT_GROUP = """
local last = (1 - tonumber(ARGV[3])) * redis.call('PFCOUNT', KEYS[2])
if redis.call('PFCOUNT', KEYS[1]) + last >= tonumber(ARGV[4]) then return 1 end
redis.call('PFADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 0
"""


@dataclass(frozen=True)
class Snapshot:
    """What ``begin`` found: a duplicate, a rate-limited sender, or the state to step."""

    status: str  # "ok" | "duplicate" | "rate_limited" | "throttled"
    state: dict | None = None
    version: str = ""
    count: int = 0  # messages committed in this session so far
    opted_out: bool = False  # then ``state`` is the dialog's "stopped" state
    over_limit: int = 0  # 1: the first message over the rate limit; 2: a later one
    replies: list[dict] | None = None  # a duplicate of the last message: what it got
    trips: int = 1  # round trips it took (on Redis Cluster, one more a sender group)


@dataclass(frozen=True)
class Saved:
    """What ``commit`` did: saved now, saved before (with the replies recorded then), or
    nothing because another message saved first (falsy: the caller steps again)."""

    ok: bool
    again: bool = False  # this save had already been applied: ``replies`` are its replies
    replies: list[dict] | None = None
    duplicate: bool = False  # the same message was saved by another call (a repeat)

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True)
class Group:
    """Senders that share a limit on how many new ones may come in a sliding window: an
    SMS number prefix, a web client's address, every web client."""

    name: str
    limit: int
    window: int = 600  # seconds

    def where(self, now: float) -> tuple[int, float, int]:
        """The window's index, how far into it ``now`` is (0..1), the sets' TTL."""
        window = max(self.window, 1)
        return int(now // window), round(now % window / window, 4), window * 2 + 2


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


# Errors after which a command may or may not have run on the server: only a call that is
# safe to apply twice is sent again (see ``SessionStore._call``).
_LOST = (redis.ConnectionError, redis.TimeoutError)
RETRIES = 2


class SessionStore:
    """Dialog state per person in Redis, with TTLs, de-duplication and a rate limit."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        secret_key: str,
        ttl_days: int = 30,
        optout_ttl_days: int = 365,
        finished_ttl_hours: int = 24,
        rate_limit: int = 20,
        rate_window: int = RATE_WINDOW_SECONDS,
        pump_limit: int = 0,
        pump_window: int = 600,
        memory_warn_percent: int = 80,
        stats_ttl_days: int = stats.DEFAULT_TTL_DAYS,
    ) -> None:
        self.redis = client
        self._secret = secret_key.encode("utf-8")
        self.ttl = int(ttl_days) * 86400
        self.optout_ttl = int(optout_ttl_days) * 86400
        # a finished check: kept only while its summary may still be asked for
        self.finished_ttl = min(max(int(finished_ttl_hours), 1) * 3600, self.ttl)
        self.rate_limit = int(rate_limit)
        self.rate_window = max(int(rate_window), 1)
        self.pump_limit = int(pump_limit)  # new senders a group may bring per window; 0: off
        self.pump_window = max(int(pump_window), 1)
        self.memory_warn_percent = int(memory_warn_percent)
        self.stats_ttl = stats.ttl_seconds(stats_ttl_days)  # seconds, renewed on each count
        self._memory_checked = time.monotonic()  # the first look a minute in
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
            url = redis_embedded.url(config["DATA_DIR"])
            options["client_name"] = redis_embedded.client_name()
        # Fail fast when Redis is down: the person is asked to try again in a moment.
        # redis-py never sends a command again by itself: a script whose answer was lost
        # may have run, and only the store knows which are safe to repeat (``_call``).
        options.update(socket_timeout=2.0, socket_connect_timeout=1.0,
                       retry=Retry(NoBackoff(), 0))
        try:
            if config.get("REDIS_CLUSTER"):
                client: redis.Redis | RedisCluster = RedisCluster.from_url(url, **options)
            else:
                client = redis.Redis.from_url(url, health_check_interval=30, **options)
        except (ValueError, redis.exceptions.RedisClusterException) as exc:
            raise ConfigError(f"REDIS_URL: {exc}") from exc
        return cls(
            client,
            secret_key=config["SECRET_KEY"],
            ttl_days=config["SESSION_TTL_DAYS"],
            optout_ttl_days=config["OPTOUT_TTL_DAYS"],
            finished_ttl_hours=config.get("FINISHED_TTL_HOURS", 24),
            rate_limit=config["RATE_LIMIT_PER_MINUTE"],
            pump_limit=config.get("SMS_PUMP_LIMIT", 0),
            pump_window=config.get("SMS_PUMP_WINDOW_SECONDS", 600),
            memory_warn_percent=config.get("REDIS_MEMORY_WARN_PERCENT", 80),
            stats_ttl_days=config.get("STATS_TTL_DAYS", stats.DEFAULT_TTL_DAYS),
        )

    def _hash(self, text: str) -> str:
        return hmac.new(self._secret, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def person(self, channel: str, sender: str) -> Person:
        """The keyed-hash identity of ``sender`` on ``channel``."""
        return Person(channel, self._hash(f"{channel}:{sender}")[:32])

    def message_key(self, message_id: str | None) -> str:
        """The keyed hash under which a message id is remembered ("" for no id)."""
        return self._hash(f"msg:{message_id}")[:16] if message_id else ""

    def content_key(self, version: str, text: str) -> str:
        """A message without an id, known by a keyed hash of its text and the state version
        it was stepped on: the same text on the same state is the same save."""
        return self._hash(f"txt:{version}:{text}")[:16]

    def group_keys(self, group: str | Group, now: float | None = None) -> list[str]:
        """This window's and the last window's sets of new senders from ``group``."""
        if isinstance(group, str):
            group = Group(group, self.pump_limit, self.pump_window)
        window = group.where(time.time() if now is None else now)[0]
        tag = f"{PREFIX}:{{g{self._hash(f'group:{group.name}')[:16]}}}"
        return [f"{tag}:p{window}", f"{tag}:p{window - 1}"]

    def _call(self, script: Any, keys: list, args: list, *, again: list | None = None) -> Any:
        """Run a script; when its answer is lost, send it again only with ``again`` (the
        arguments that make a repeat harmless), at most ``RETRIES`` times."""
        for attempt in range(RETRIES + 1):
            try:
                return script(keys=keys, args=args if attempt == 0 else again)
            except _LOST:
                if again is None or attempt == RETRIES:
                    raise
                time.sleep(0.005 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def begin(self, person: Person, message_id: str | None, *, count: bool = True,
              group: str | None = None, groups: list[Group] | None = None) -> Snapshot:
        """One round trip: duplicate check, new-sender limits, rate limit (when ``count``),
        opt-out, state.

        ``group`` (an SMS number's prefix, limit ``pump_limit``) and ``groups``: a new
        sender (we hold nothing on them) is counted among the new senders each group
        brought in the sliding window (``pump_window``); over a group's limit, that sender
        gets status "throttled" and nothing is written for them.
        """
        groups = [g for g in groups or [] if g.limit > 0]
        if group and self.pump_limit:
            groups.append(Group(group, self.pump_limit, self.pump_window))
        now = time.time()
        args: list[Any] = [self.message_key(message_id), self.rate_limit, self.rate_window,
                           "1" if count else "0", int(now // self.rate_window),
                           round(now % self.rate_window / self.rate_window, 4), person.digest]
        keys = list(person.keys)
        trips = 1
        if groups and isinstance(self.redis, RedisCluster):
            args.append("?")  # known senders: one round trip; new ones: counted, then again
        else:
            args.append("0")
            for g in groups:
                keys += self.group_keys(g, now)
                _, frac, ttl = g.where(now)
                args += [g.limit, frac, ttl]
        # Sent again, the rate is not counted twice (the first may have counted it).
        reply = self._call(self._begin, keys, args, again=[*args[:3], "0", *args[4:]])
        kind = _text(reply[0])
        if kind == "new":  # Redis Cluster: count the new sender in its groups' slots
            args[7] = self._count_groups(person, groups, now)
            trips += len(groups) + 1
            reply = self._call(self._begin, keys, args, again=[*args[:3], "0", *args[4:]])
            kind = _text(reply[0])
        if kind == "dup":
            return Snapshot("duplicate", replies=_load_replies(reply[1]), trips=trips)
        if kind == "rate":
            return Snapshot("rate_limited", over_limit=int(reply[1]), trips=trips)
        if kind == "throttled":
            return Snapshot("throttled", trips=trips)
        stopped = _load_state(_text(reply[4]))
        return Snapshot(
            "ok",
            state=stopped if stopped is not None else _load_state(_text(reply[3])),
            version=_text(reply[1]),
            count=int(reply[2] or 0),
            opted_out=stopped is not None,
            trips=trips,
        )

    def _count_groups(self, person: Person, groups: list[Group], now: float) -> str:
        """On Redis Cluster a group's sets live in another slot than the person's keys (a
        script touches one slot): when ``begin`` finds a new sender, each group counts it
        in a round trip of its own, and ``begin`` runs again, refusing the sender when a
        group is over ("1"). A known sender costs no more than on one server."""
        over = "0"
        for g in groups:
            _, frac, ttl = g.where(now)
            if self._count_group(keys=self.group_keys(g, now),
                                 args=[person.digest, ttl, frac, g.limit]):
                over = "1"
        return over

    def commit(
        self,
        person: Person,
        snapshot: Snapshot,
        state: dict | None,
        *,
        message_id: str | None = None,
        mode: str = "save",
        text: str = "",
        replies: list[dict] | None = None,
        urgent: bool = False,
    ) -> Saved:
        """One round trip: write ``state`` if nobody else wrote since ``snapshot``.

        ``mode``: "save", "optin" (save and forget the opt-out), "optout" (forget the
        session, keep ``state`` as the opt-out marker) or "erase" (forget everything).
        The save records ``replies`` under the message's id (or, without one, a hash of
        ``text`` and the version it was stepped on): a save that was already applied (its
        answer lost on the way back) changes nothing and returns the replies it recorded.
        It is therefore safe to send again, and ``_call`` does when the answer is lost.
        ``urgent``: a save Redis must take even when full (it frees before it writes).
        Returns a falsy ``Saved``, changing nothing, when the version moved on.
        """
        body = json.dumps(state or {}, ensure_ascii=False, separators=(",", ":"))
        key = self.message_key(message_id) or self.content_key(snapshot.version, text)
        ttl = self.finished_ttl if (state or {}).get("node") in FINISHED else self.ttl
        args = [snapshot.version, mode, secrets.token_hex(6), body, ttl,
                self.message_key(message_id), SEEN_IDS, self.optout_ttl, key,
                _dump_replies(replies) if mode in ("save", "optin") else "",
                "1" if urgent else "0"]
        reply = self._call(self._commit, person.keys, args, again=args)
        done = int(reply[0])
        if done in (2, 3):
            return Saved(True, again=True, replies=_load_replies(reply[1]), duplicate=done == 3)
        return Saved(done == 1)

    def count(self, bumps: list[tuple[str, str]], ttl: int) -> None:
        """One round trip: add 1 to each ``(key, field)`` counter and give every key
        touched the TTL ``ttl`` (seconds), atomically (``bot.stats.increments``).
        Never sent again: a lost answer may lose a count, never double one."""
        if not bumps:
            return
        index: dict[str, int] = {}
        args: list[Any] = [ttl]
        for name, field in bumps:
            args += [index.setdefault(name, len(index) + 1), field]
        self._call(self._count_stats, list(index), args)

    def peek(self, channel: str, sender: str) -> dict | None:
        """The saved dialog state of ``sender`` (one round trip; no side effects)."""
        raw = self.redis.hget(self.person(channel, sender).key("s"), "st")
        return _load_state(_text(raw) if raw is not None else "")

    def erase(self, channel: str, sender: str) -> None:
        """Forget everything held on ``sender`` (session, counters, opt-out flag)."""
        self.redis.delete(*self.person(channel, sender).keys)

    def memory(self) -> dict[str, Any]:
        """Redis's memory (one round trip): bytes used, ``maxmemory`` (0: no limit), the
        eviction policy, the percentage of the limit used and the pressure: "ok", "high"
        (at least ``memory_warn_percent``) or "full" (a write Redis would refuse: at the
        limit under ``noeviction``)."""
        info = self.redis.info("memory")
        if isinstance(self.redis, RedisCluster):  # {node: info}: the fullest node counts
            info = max(info.values(), key=lambda i: _percent(i) or 0)
        percent = _percent(info)
        policy = str(info.get("maxmemory_policy", ""))
        pressure = "ok"
        if percent is not None and percent >= self.memory_warn_percent:
            pressure = "high"
        if percent is not None and percent >= 99 and policy == "noeviction":
            pressure = "full"
        return {"used_bytes": int(info.get("used_memory", 0)),
                "max_bytes": int(info.get("maxmemory", 0)), "percent": percent,
                "policy": policy, "pressure": pressure}

    def watch_memory(self, every: float = 60.0) -> None:
        """At most once every ``every`` seconds, log a warning when Redis's memory is
        under pressure: well before it is full, and when its eviction policy could evict
        opt-outs before sessions (anything but ``volatile-ttl``)."""
        now = time.monotonic()
        if now < self._memory_checked + every:
            return
        self._memory_checked = now
        try:
            memory = self.memory()
        except redis.RedisError:
            return
        if memory["pressure"] != "ok":
            log.warning("redis_memory_high", extra={"fields": {
                "percent": memory["percent"], "policy": memory["policy"],
                "pressure": memory["pressure"],
                "advice": "" if memory["policy"] == "volatile-ttl" else
                "set maxmemory-policy volatile-ttl: sessions go before opt-outs"}})

    def ping(self) -> bool:
        """True when Redis answers."""
        try:
            return bool(self.redis.ping())
        except redis.RedisError:
            return False


def _percent(info: dict) -> float | None:
    limit = int(info.get("maxmemory", 0) or 0)
    if not limit:
        return None
    return round(100 * int(info.get("used_memory", 0)) / limit, 1)


def _dump_replies(replies: list[dict] | None) -> str:
    """The replies, compressed, as text (kept beside the state until the next message)."""
    if not replies:
        return ""
    raw = json.dumps(replies, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # a raw deflate stream with small buffers: zlib.compress's default state alone (over
    # 256 KB, allocated and cleared each call) cost more than the compression
    packer = zlib.compressobj(1, zlib.DEFLATED, -9, 1)
    return base64.b64encode(packer.compress(raw) + packer.flush()).decode("ascii")


def _load_replies(raw: Any) -> list[dict] | None:
    if not raw or not isinstance(raw, bytes | str):
        return None
    try:
        replies = json.loads(zlib.decompress(base64.b64decode(raw), -9))
    except (ValueError, zlib.error, UnicodeError):
        return None
    return replies if isinstance(replies, list) else None


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
