"""What a voice call costs the app: time and Redis round trips per ``/voice`` webhook.

Runs the real app in this process (Flask's test client, Twilio-signed requests as Twilio
Voice posts them) on a real redis-server, through the flow's typical complete checks as
phone calls: the language menu, each answer as ``SpeechResult`` (``Digits`` for numbers),
to the verdict and its menu. Prints the server-side time per request (median, p95, max;
the test client's call, so no network or gunicorn) and the Redis round trips per request,
counted on the wire (``benchlib.CountingConnection``). The calls' spoken length is what
``clearline flows check`` prints.

    .venv/bin/python bench/voice.py          # a few seconds
    .venv/bin/python bench/voice.py --calls 60 --json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402
from benchlib import AUTH_TOKEN, HOTLINE, PUBLIC_URL, CountingConnection  # noqa: E402


def signed(url: str, form: dict[str, str]) -> dict[str, str]:
    from twilio.request_validator import RequestValidator

    return {"X-Twilio-Signature": RequestValidator(AUTH_TOKEN).compute_signature(url, form)}


def call(client, phone: str, sid: str, answers: list[str]) -> list[tuple[float, int]]:
    """One call through ``answers``: (milliseconds, round trips) of each request."""
    url, out = PUBLIC_URL + "/voice", []
    for text in [None, *answers]:
        form = {"CallSid": sid, "From": phone, "To": HOTLINE, "AccountSid": "AC" + "0" * 32,
                "CallStatus": "in-progress", "Direction": "inbound"}
        if text is not None:
            form["Digits" if text.isdigit() else "SpeechResult"] = text
        trips = CountingConnection.sent
        started = time.perf_counter()
        response = client.post(url[len(PUBLIC_URL):], data=form, headers=signed(url, form))
        out.append(((time.perf_counter() - started) * 1000, CountingConnection.sent - trips))
        gather = ET.fromstring(response.data).find("Gather")
        if gather is None:
            break
        url = gather.get("action")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=30, help="calls to make (default 30)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    server = benchlib.RedisServer().start()
    try:
        app = benchlib.counted_app(server.url, tempfile.mkdtemp(prefix="clearline-bench-"))
        client = app.test_client()
        senders = benchlib.Senders(11)
        checks = [(["2" if texts[0] == "hola" else "1", *texts[1:]]) for texts in
                  benchlib.typical_checks()]
        call(client, senders.phone(), "CA" + "f" * 32, checks[0][:1])  # warm: scripts loaded
        rows: list[tuple[float, int]] = []
        for n in range(args.calls):
            rows += call(client, senders.phone(), f"CA{n:032x}", checks[n % len(checks)])
    finally:
        server.stop()
    ms = sorted(r[0] for r in rows)
    figures = {
        "requests": len(rows), "calls": args.calls,
        "ms_median": round(benchlib.percentile(ms, 50), 2),
        "ms_p95": round(benchlib.percentile(ms, 95), 2), "ms_max": round(ms[-1], 2),
        "round_trips_per_request": round(sum(r[1] for r in rows) / len(rows), 2),
        "round_trips_max": max(r[1] for r in rows),
        "machine": benchlib.machine(), "load_average": benchlib.load_average(),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"Voice webhooks: {figures['requests']} requests in {args.calls} calls "
          f"(the typical checks, English and Spanish), server side in one process")
    print(f"  time per request: median {figures['ms_median']} ms, p95 {figures['ms_p95']} ms, "
          f"max {figures['ms_max']} ms")
    print(f"  Redis round trips per request: {figures['round_trips_per_request']} on average, "
          f"at most {figures['round_trips_max']}")
    print(f"  {figures['machine']}; load average {figures['load_average']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
