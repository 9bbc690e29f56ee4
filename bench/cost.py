"""Cost per message: Redis round trips, Redis memory per session, SMS segments per check.

Runs the real app in this process (Flask's test client, Twilio-signed webhooks) on a real
redis-server, through the flow's typical complete checks in English and Spanish, and
measures:

- Redis round trips per incoming message, counted on the wire by a connection class that
  counts every request written to Redis (a pipeline or a script is one round trip);
  checked against the app's own count and Redis's ``INFO commandstats``. Goal: at most 3.
- Redis memory per session: ``MEMORY USAGE`` of each person's keys after each message
  (the session hash and, for a minute, the rate counter). Goal: at most 2 KB.
- SMS sent per complete check, as Twilio would send them: the ``<Message>`` bodies of the
  TwiML answers, and their segments (``dialogs.sms``: GSM-7 or UCS-2, multipart sizes),
  beside the dialog engine's own count (``dialogs.tools.typical_numbers``, what
  ``clearline flows check`` prints).

    .venv/bin/python bench/cost.py          # a few seconds
    .venv/bin/python bench/cost.py --json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402
from benchlib import CountingConnection  # noqa: E402

GOAL_TRIPS = 3
GOAL_BYTES = 2048


def commands_processed(client: redis.Redis) -> int:
    """Top-level commands Redis has run (``INFO commandstats``, scripts' inner calls too)."""
    return sum(v["calls"] for k, v in client.info("commandstats").items()
               if k.startswith("cmdstat_") and k not in ("cmdstat_info",))


def typical() -> dict[str, dict[str, list[str]]]:
    from dialogs.flow import MAIN

    return {lang: {name: list(texts) for name, texts in paths.items()}
            for lang, paths in (MAIN.budgets.get("typical") or {}).items()}


def bodies(twiml: str) -> list[str]:
    return [(m.text or "") for m in ET.fromstring(twiml).iter("Message")]


def run() -> dict:
    from dialogs import sms as sms_codec
    try:
        from dialogs.checks import typical_numbers
    except ImportError:  # before the flows check moved out of dialogs.tools
        from dialogs.tools import typical_numbers

    server = benchlib.RedisServer().start()
    try:
        app = benchlib.counted_app(server.url, tempfile.mkdtemp(prefix="clearline-bench-"))
        store = app.extensions["clearline"].store
        client = app.test_client()
        admin = server.client()
        senders = benchlib.Senders(11)
        # The first message of a fresh process also opens the connection (HELLO, ...) and
        # loads the two scripts (NOSCRIPT, SCRIPT LOAD): once per connection, not per message.
        form, headers = benchlib.signed_request(senders.phone(), "hi", senders.sid())
        client.post("/sms", data=form, headers=headers)
        first_message = CountingConnection.sent
        trips: list[int] = []
        self_reported: list[int] = []
        by_kind: Counter = Counter()
        commands: list[int] = []
        client_commands: list[int] = []
        memory_max: dict[str, int] = {}
        memory_end: dict[str, int] = {}
        checks: dict[str, dict] = {}
        engine_numbers = typical_numbers()
        for lang, paths in typical().items():
            for name, texts in paths.items():
                phone = senders.phone()
                person = store.person("sms", phone)
                sent: list[str] = []
                worst = 0
                for text in texts:
                    form, headers = benchlib.signed_request(phone, text, senders.sid())
                    before_trips, before_cmds = CountingConnection.sent, commands_processed(admin)
                    before_sent = CountingConnection.commands
                    response = client.post("/sms", data=form, headers=headers)
                    trips.append(CountingConnection.sent - before_trips)
                    client_commands.append(CountingConnection.commands - before_sent)
                    commands.append(commands_processed(admin) - before_cmds - 1)
                    assert response.status_code == 200, response.status_code
                    sent += bodies(response.get_data(as_text=True))
                    size = sum(admin.memory_usage(k, samples=0) or 0 for k in person.keys)
                    worst = max(worst, size)
                # a retried webhook (same MessageSid) costs one round trip, answers nothing
                retry_before = CountingConnection.sent
                response = client.post("/sms", data=form, headers=headers)
                by_kind["retried MessageSid"] = CountingConnection.sent - retry_before
                assert bodies(response.get_data(as_text=True)) == []
                session = admin.memory_usage(person.key("s"), samples=0) or 0
                memory_end[f"{lang}/{name}"] = session
                memory_max[f"{lang}/{name}"] = worst
                engine_sent, engine_segments = _engine_row(engine_numbers[lang][name])
                checks[f"{lang}/{name}"] = {
                    "person_messages": len(texts),
                    "sms_sent": len(sent),
                    "segments": sum(sms_codec.segments(b) for b in sent),
                    "encodings": dict(Counter(sms_codec.encode_info(b).encoding for b in sent)),
                    "engine_replies": engine_sent,
                    "engine_segments": engine_segments,
                }
        self_reported = _self_reported(app)
        stats_bytes = sum(admin.memory_usage(k, samples=0) or 0
                          for k in admin.scan_iter("clearline:{stats}:*"))
        version = server.version()
    finally:
        server.stop()
    by_lang: dict[str, dict] = {}
    for key, row in checks.items():
        lang = key.split("/")[0]
        agg = by_lang.setdefault(lang, {"checks": 0, "segments": [], "sms_sent": []})
        agg["checks"] += 1
        agg["segments"].append(row["segments"])
        agg["sms_sent"].append(row["sms_sent"])
    return {
        "machine": benchlib.machine(),
        "redis_server": f"{server.binary} {version}",
        "round_trips": {
            "per_message_mean": round(statistics.mean(trips), 2),
            "per_message_max": max(trips),
            "histogram": dict(sorted(Counter(trips).items())),
            "messages": len(trips),
            "retried_message_sid": by_kind["retried MessageSid"],
            "first_message_of_a_process": first_message,
            "app_self_reported": self_reported,
            "redis_commands_per_message_mean": round(statistics.mean(commands), 2),
            "commands_sent_per_message_mean": round(statistics.mean(client_commands), 2),
            "goal_max": GOAL_TRIPS,
            "met": max(trips) <= GOAL_TRIPS,
        },
        "memory": {
            "session_bytes_at_end": memory_end,
            "person_bytes_max_during_check": memory_max,
            "max_bytes": max(memory_max.values()),
            "stats_bytes_all_sessions": stats_bytes,
            "goal_max_bytes": GOAL_BYTES,
            "met": max(memory_max.values()) <= GOAL_BYTES,
        },
        "sms": {"checks": checks,
                "by_language": {lang: {"checks": v["checks"],
                                       "segments_min": min(v["segments"]),
                                       "segments_max": max(v["segments"]),
                                       "segments_mean": round(statistics.mean(v["segments"]), 1),
                                       "sms_sent_mean": round(statistics.mean(v["sms_sent"]), 1)}
                                for lang, v in by_lang.items()}},
    }


def _engine_row(row) -> tuple[int, int]:
    """(replies, segments) from ``typical_numbers`` (a dict, or an older 3-tuple)."""
    if isinstance(row, dict):
        return row.get("replies", -1), row.get("segments", -1)
    return row[1], row[2]


def _self_reported(app) -> dict:
    """What the app says it spent (``Result.round_trips``), from a fresh short run."""
    from bot.conversation import handle_message

    store = app.extensions["clearline"].store
    seen = Counter()
    for text in ["hi", "Fresno", "Had it", "2010"]:
        seen[handle_message(store, channel="sms", sender="+15005550100", text=text,
                            message_id=f"SMself{text}").round_trips] += 1
    return dict(seen)


def show(result: dict) -> None:
    trips, memory, sms = result["round_trips"], result["memory"], result["sms"]
    print(f"Cost per message ({result['machine']})")
    print(f"  redis: {result['redis_server']}")
    print(f"  Redis round trips per message: mean {trips['per_message_mean']}, max "
          f"{trips['per_message_max']} (goal <= {trips['goal_max']}: "
          f"{'MET' if trips['met'] else 'NOT MET'}); {trips['messages']} messages, "
          f"histogram {trips['histogram']}; a retried MessageSid: "
          f"{trips['retried_message_sid']}")
    print(f"    (the first message of a new process: {trips['first_message_of_a_process']}, "
          f"opening the connection and loading the scripts, once; commands sent a message: "
          f"{trips['commands_sent_per_message_mean']}, run by Redis counting those inside "
          f"scripts: {trips['redis_commands_per_message_mean']})")
    print(f"  Redis memory per person: max {memory['max_bytes']} bytes during a check "
          f"(goal <= {memory['goal_max_bytes']}: {'MET' if memory['met'] else 'NOT MET'}); "
          f"session hash at the end: {min(memory['session_bytes_at_end'].values())}-"
          f"{max(memory['session_bytes_at_end'].values())} bytes; shared weekly stats: "
          f"{memory['stats_bytes_all_sessions']} bytes in all")
    print("  SMS per complete check (as sent in TwiML; engine's own count in brackets):")
    for name, row in sms["checks"].items():
        print(f"    {name:40} person {row['person_messages']} msgs; bot {row['sms_sent']} SMS, "
              f"{row['segments']:>2} segments {row['encodings']}  [engine: "
              f"{row['engine_replies']} replies, {row['engine_segments']} segments]")
    for lang, row in sms["by_language"].items():
        print(f"  {lang}: {row['segments_min']}-{row['segments_max']} segments a check "
              f"(mean {row['segments_mean']}), {row['sms_sent_mean']} SMS")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = run()
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        show(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
