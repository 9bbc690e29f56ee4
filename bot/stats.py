"""Privacy-safe impact statistics: aggregate counters only, never a per-person row.

Every counter lives in a small Redis hash per ISO week and per metric, for example
``clearline:{stats}:2026-W48:started`` with the fields ``all``, ``ch:web`` and
``ref:CLINIC1``. Each write also renews the key's TTL (``STATS_TTL_DAYS``, default 400),
so old weeks disappear on their own. All stats keys share the hash tag ``{stats}``: on
Redis Cluster they sit in one slot and can be read in one pipeline.

``increments`` lists the counters one step's events add 1 to; the conversation path adds
them in one atomic script (``SessionStore.count``).
``read`` gathers the counters for the admin page; ``to_csv`` exports them with small
counts (under 5) shown as ``"<5"``, and ``protect`` also hides the counts from which a
hidden one could be worked out (a total beside a single hidden cell).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

PREFIX = "clearline:{stats}"
METRICS = ("started", "completed", "asked", "outcome", "county")
CHANNELS = ("web", "sms", "telegram", "cli", "voice", "whatsapp")
DEFAULT_TTL_DAYS = 400
SMALL_COUNT = 5
_MAX_FIELD = 48
_REF_RE = re.compile(r"^[A-Za-z0-9]{1,16}$")
_SAFE_RE = re.compile(r"[^\w .'-]+", re.UNICODE)


def ttl_seconds(days: int = DEFAULT_TTL_DAYS) -> int:
    """The lifetime of a stats key (``STATS_TTL_DAYS``), renewed on every write."""
    return max(int(days), 1) * 86400


def week_of(moment: datetime) -> str:
    """The ISO week of a moment (UTC), like ``2026-W48``."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def key(week: str, metric: str) -> str:
    """The Redis key of one metric's counters for one week."""
    return f"{PREFIX}:{week}:{metric}"


def clean_ref(ref: Any) -> str | None:
    """A referral code as counted: letters and digits, 1 to 16, upper case; else None."""
    if not isinstance(ref, str):
        return None
    ref = ref.strip()
    return ref.upper() if _REF_RE.match(ref) else None


def _clean_label(value: Any) -> str | None:
    """A node id, outcome or county name made safe and short enough to be a hash field."""
    if not isinstance(value, str):
        return None
    value = _SAFE_RE.sub("", value).strip()[:_MAX_FIELD]
    return value or None


def _channel(channel: str) -> str:
    return channel if channel in CHANNELS else "other"


def increments(
    *,
    channel: str,
    ref: str | None,
    events: list[dict],
    now: datetime | None = None,
) -> list[tuple[str, str]]:
    """The ``(key, field)`` counters one step's stat events add 1 to, in order.

    Unknown or malformed events are ignored, so a stats problem never breaks a reply.
    """
    week = week_of(now or datetime.now(UTC))
    ch = _channel(channel)
    code = clean_ref(ref)
    bumps: list[tuple[str, str]] = []
    for event in events or ():
        if not isinstance(event, dict):
            continue
        kind = event.get("type")
        if kind in ("started", "completed"):
            name = key(week, kind)
            bumps += [(name, "all"), (name, f"ch:{ch}")]
            if code:
                bumps.append((name, f"ref:{code}"))
        elif kind == "asked":
            node = _clean_label(event.get("node"))
            if node:
                bumps.append((key(week, "asked"), node))
        elif kind == "verdict":
            outcome = _clean_label(event.get("outcome"))
            if outcome:
                bumps.append((key(week, "outcome"), outcome))
            county = _clean_label(event.get("county"))
            bumps.append((key(week, "county"), county or "(unknown)"))
    return bumps


def weeks_back(count: int, now: datetime | None = None) -> list[str]:
    """The last ``count`` ISO weeks, oldest first, ending with the current one."""
    now = now or datetime.now(UTC)
    weeks: list[str] = []
    for i in range(count - 1, -1, -1):
        week = week_of(now - timedelta(weeks=i))
        if not weeks or weeks[-1] != week:
            weeks.append(week)
    return weeks


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _decode(raw: dict) -> dict[str, int]:
    out: dict[str, int] = {}
    for field, value in (raw or {}).items():
        name = field.decode("utf-8", "replace") if isinstance(field, bytes) else str(field)
        out[name] = _int(value)
    return out


def _add(into: dict[str, int], name: str, count: int) -> None:
    into[name] = into.get(name, 0) + count


def read(redis: Any, *, weeks: int | None = None, ttl_days: int = DEFAULT_TTL_DAYS,
         now: datetime | None = None) -> dict:
    """All counters of the last ``weeks`` weeks (default: as far as ``ttl_days`` reaches).

    One round trip. Returns a dict with ``weeks`` (list of per-week started/completed,
    oldest first), ``channels`` and ``refs`` (``{name: {"started", "completed"}}``),
    ``funnel`` (``[{"node", "asked"}]``, most asked first), ``outcomes``, ``counties``
    (``{name: count}``, biggest first), ``totals`` and ``raw`` (``{week: {metric:
    {field: count}}}``, for the CSV export).
    """
    if weeks is None:
        weeks = ttl_seconds(ttl_days) // (7 * 86400) + 1
    week_names = weeks_back(weeks, now)
    pipe = redis.pipeline(transaction=False)
    for week in week_names:
        for metric in METRICS:
            pipe.hgetall(key(week, metric))
    results = iter(pipe.execute())
    raw: dict[str, dict[str, dict[str, int]]] = {}
    for week in week_names:
        raw[week] = {metric: _decode(next(results)) for metric in METRICS}
    return summarize(raw)


def summarize(raw: dict[str, dict[str, dict[str, int]]]) -> dict:
    """Fold per-week counters into the totals the admin page shows."""
    week_rows = []
    channels: dict[str, dict[str, int]] = {}
    refs: dict[str, dict[str, int]] = {}
    sums: dict[str, dict[str, int]] = {m: {} for m in ("asked", "outcome", "county")}
    for week, metrics in raw.items():
        week_rows.append({
            "week": week,
            "started": metrics["started"].get("all", 0),
            "completed": metrics["completed"].get("all", 0),
        })
        for kind in ("started", "completed"):
            for field, count in metrics[kind].items():
                group, _, name = field.partition(":")
                target = {"ch": channels, "ref": refs}.get(group)
                if target is not None and name:
                    row = target.setdefault(name, {"started": 0, "completed": 0})
                    row[kind] += count
        for metric, into in sums.items():
            for field, count in metrics[metric].items():
                _add(into, field, count)

    def ranked(counts: dict[str, int]) -> dict[str, int]:
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def ranked_rows(rows: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        return dict(sorted(rows.items(), key=lambda kv: (-kv[1]["started"], kv[0])))

    totals = {
        "started": sum(r["started"] for r in week_rows),
        "completed": sum(r["completed"] for r in week_rows),
        "verdicts": sum(sums["outcome"].values()),
    }
    funnel = [{"node": n, "asked": c} for n, c in ranked(sums["asked"]).items()]
    return {
        "weeks": week_rows,
        "channels": ranked_rows(channels),
        "refs": ranked_rows(refs),
        "funnel": funnel,
        "outcomes": ranked(sums["outcome"]),
        "counties": ranked(sums["county"]),
        "totals": totals,
        "raw": raw,
    }


def band(count: int) -> tuple[int, int]:
    """The range a hidden count is shown as: 1 to 4 for a small count, else its 5-wide band."""
    if count < SMALL_COUNT:
        return 1, SMALL_COUNT - 1
    low = count - count % 5
    return low, low + 4


def shown(count: int, hidden: bool | None = None) -> str:
    """A count as shown: ``"<5"`` for 1 to 4 (so small groups cannot be singled out);
    a count hidden to protect one (``hidden=True``) as its band, like ``"5-9"``."""
    if hidden is None:
        hidden = 0 < count < SMALL_COUNT
    if not hidden:
        return str(count)
    low, high = band(count)
    return f"<{SMALL_COUNT}" if high < SMALL_COUNT else f"{low}-{high}"


def protect(cells: dict[Any, int], groups: list[tuple[list, Any]],
            known: frozenset | set = frozenset()) -> set:
    """Which cells to hide so that no count under 5 can be worked out.

    ``cells``: every count a reader sees (and totals they can work out, which the caller
    need not show); ``groups``: ``(members, total)`` pairs of cell keys where the members
    add up to the total. Counts of 1 to 4 are hidden; then, while a group lets a reader
    pin down a hidden cell from the others (a total beside a single hidden cell, say),
    its smallest visible cell is hidden too (shown as its band), or its total when none
    is left. ``known``: cells a reader may know although they are not shown (never
    "hidden"). Returns the keys to hide.
    """
    hidden = {k for k, v in cells.items() if 0 < v < SMALL_COUNT}
    changed = True
    while changed:
        changed = False
        for members, total in groups:
            while _pinned(cells, hidden, members, total):
                spare = [k for k in members
                         if k not in hidden and k not in known and cells.get(k, 0) > 0]
                if not spare and total in cells and total not in hidden | known:
                    spare = [total]
                if not spare:
                    break
                hidden.add(min(spare, key=lambda k: (cells[k], str(k))))
                changed = True
    return hidden


def _pinned(cells: dict[Any, int], hidden: set, members: list, total: Any) -> bool:
    """True when ``sum(members) == total`` pins down the exact value of a hidden cell."""
    terms = [(k, 1) for k in members] + [(total, -1)]
    if not any(k in hidden for k, _ in terms):
        return False

    def span(key: Any, sign: int) -> tuple[int, int]:
        value = cells.get(key, 0)
        low, high = band(value) if key in hidden else (value, value)
        return (low, high) if sign > 0 else (-high, -low)

    spans = [span(k, c) for k, c in terms]
    low_sum, high_sum = sum(s[0] for s in spans), sum(s[1] for s in spans)
    for (key, _), (low, high) in zip(terms, spans, strict=True):
        if key not in hidden:
            continue
        # this term must equal minus the rest, which lies in [-(rest high), -(rest low)]
        lo, hi = max(low, -(high_sum - high)), min(high, -(low_sum - low))
        if lo == hi:
            return True
    return False


def csv_hidden(stats: dict) -> set:
    """The CSV cells ``(week, metric, field)`` to hide (``protect``): each week's channels
    add up to its total; outcomes and counties add up to the week's answers; and each
    counter over the weeks adds up to the period's figure on the admin page."""
    cells: dict[Any, int] = {}
    groups: list[tuple[list, Any]] = []
    series: dict[tuple[str, str], list] = {}
    known: set = set()
    for week, metrics in stats["raw"].items():
        for metric in METRICS:
            for field, count in metrics[metric].items():
                if count > 0:
                    cells[(week, metric, field)] = count
                    series.setdefault((metric, field), []).append((week, metric, field))
        for kind in ("started", "completed"):
            channels = [(week, kind, f) for f in metrics[kind] if f.startswith("ch:")]
            groups.append((channels, (week, kind, "all")))
            refs = [(week, kind, f) for f in metrics[kind] if f.startswith("ref:")]
            if refs:  # with those without a code (which a reader might know), the total
                no_code = (week, kind, "nocode")
                known.add(no_code)
                cells[no_code] = max(metrics[kind].get("all", 0)
                                     - sum(metrics[kind][f[2]] for f in refs), 0)
                groups.append(([*refs, no_code], (week, kind, "all")))
        answers = ("answers", week)
        cells[answers] = sum(metrics["outcome"].values())  # worked out from either list
        known.add(answers)
        for metric in ("outcome", "county"):
            groups.append(([(week, metric, f) for f in metrics[metric]], answers))
    for (metric, field), keys in series.items():
        period = ("period", metric, field)
        cells[period] = sum(cells[k] for k in keys)
        known.add(period)
        groups.append((keys, period))
    return protect(cells, groups, known)


def to_csv(stats: dict) -> str:
    """The counters as CSV rows ``week,metric,group,name,count``: counts under 5 as "<5",
    and the counts that would give one away as their band (see ``protect``)."""
    hidden = csv_hidden(stats)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["week", "metric", "group", "name", "count"])
    for week, metrics in stats["raw"].items():
        for metric in METRICS:
            for field, count in sorted(metrics[metric].items()):
                if count <= 0:
                    continue
                if metric in ("started", "completed"):
                    group, _, name = field.partition(":")
                    if field == "all":
                        group, name = "total", "all"
                    group = {"ch": "channel", "ref": "referral"}.get(group, group)
                else:
                    group = {"asked": "question", "outcome": "outcome", "county": "county"}[
                        metric
                    ]
                    name = field
                count_text = shown(count, (week, metric, field) in hidden)
                writer.writerow([week, metric, group, _csv_safe(name), count_text])
    return buf.getvalue()


def _csv_safe(text: str) -> str:
    """Stop spreadsheet formula injection: a cell never starts with = + - @."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
