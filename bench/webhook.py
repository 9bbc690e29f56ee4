"""Webhook benchmark: Twilio-signed SMS webhooks against gunicorn and a real redis-server.

Starts a redis-server and, in turn, two gunicorn servers with the Procfile's web settings
(workers, threads), both on 127.0.0.1 only:

- ``clearline``: the real app, ``bot.app:create_app()``, default settings (INFO logs);
- ``baseline``: ``bench/baseline_app.py``, a bare Flask endpoint sending Redis the same
  round trips and commands a message as the app (counted on the wire beforehand), no
  signature, no dialog.

Against each it runs, from simulated people with random US numbers, each working through
one of the flow's typical complete checks and sending each message after the answer to
the previous one (as a person does). The load generator is one asyncio process with
aiohttp on the same 2 cores, so it takes some CPU from the servers; the baseline pays
the same tax.

1. capacity: a closed loop with ``--concurrency`` people at once for ``--seconds``, in
   ``--rounds`` rounds alternating between the servers; messages a second (median round);
2. latency at a fixed rate: an open loop sending ``--rate`` messages a second for
   ``--seconds``, in alternating rounds too, pooled (latency counted from when each
   message was due, so a slow server cannot hide its queue); p50/p95/p99.

The load is bounded in count, in time and in messages in flight. Goals (issue 7): the app's
capacity at least 60% of the baseline's; p99 under 50 ms at 200 messages a second.

    .venv/bin/python bench/webhook.py                    # about 80 seconds
    .venv/bin/python bench/webhook.py --seconds 5 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

GOAL_RATIO = 0.60
GOAL_P99_MS = 50.0
GOAL_RATE = 200.0
MAX_MESSAGES = 200_000  # a hard bound on what one phase may send


@dataclass
class Phase:
    """What one phase of load saw."""

    name: str
    sent: int = 0
    answered: int = 0  # 200 with at least one <Message>
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)  # seconds
    elapsed: float = 0.0
    completed_checks: int = 0

    def add(self, other: Phase) -> None:
        """Pool another round of the same kind into this one."""
        self.sent += other.sent
        self.answered += other.answered
        self.statuses.update(other.statuses)
        self.errors.update(other.errors)
        self.latencies += other.latencies
        self.elapsed += other.elapsed
        self.completed_checks += other.completed_checks

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def summary(self) -> dict:
        lat = sorted(self.latencies)
        return {
            "messages": len(lat),
            "seconds": round(self.elapsed, 2),
            "messages_per_s": round(self.rate, 1),
            "p50_ms": round(benchlib.percentile(lat, 50) * 1000, 2),
            "p95_ms": round(benchlib.percentile(lat, 95) * 1000, 2),
            "p99_ms": round(benchlib.percentile(lat, 99) * 1000, 2),
            "max_ms": round(lat[-1] * 1000, 2) if lat else None,
            "answered": self.answered,
            "statuses": dict(self.statuses),
            "errors": dict(self.errors),
            "completed_checks": self.completed_checks,
        }


def session(connections: int) -> aiohttp.ClientSession:
    """An HTTP client keeping up to ``connections`` connections open (aiohttp: it costs
    the load generator a fraction of the CPU httpx's async client does)."""
    connector = aiohttp.TCPConnector(limit=connections, force_close=False)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30))


class Load:
    """Simulated people sending signed webhooks to one server."""

    def __init__(self, url: str, seed: int) -> None:
        self.url = url + "/sms"
        self.senders = benchlib.Senders(seed)

    async def send(self, http: aiohttp.ClientSession, phase: Phase, phone: str, text: str,
                   due: float) -> None:
        form, headers = benchlib.signed_request(phone, text, self.senders.sid())
        phase.sent += 1
        try:
            async with http.post(self.url, data=form, headers=headers) as response:
                body = await response.text()
        except (TimeoutError, aiohttp.ClientError) as exc:
            phase.errors[type(exc).__name__] += 1
            return
        phase.latencies.append(time.perf_counter() - due)
        phase.statuses[response.status] += 1
        if response.status == 200 and "<Message>" in body:
            phase.answered += 1

    async def person(self, http: aiohttp.ClientSession, phase: Phase, stop: float) -> None:
        """One closed-loop slot: a person after another, each a complete check."""
        while time.perf_counter() < stop and phase.sent < MAX_MESSAGES:
            phone, texts = self.senders.new()
            for text in texts:
                if time.perf_counter() >= stop:
                    return
                await self.send(http, phase, phone, text, time.perf_counter())
            phase.completed_checks += 1

    async def closed(self, concurrency: int, seconds: float) -> Phase:
        phase = Phase("capacity")
        async with session(concurrency) as http:
            start = time.perf_counter()
            stop = start + seconds
            await asyncio.gather(*(self.person(http, phase, stop) for _ in range(concurrency)))
            phase.elapsed = time.perf_counter() - start
        return phase

    async def opened(self, rate: float, seconds: float, people: int,
                     max_in_flight: int) -> Phase:
        """Send ``rate`` messages a second, each from a person whose last was answered."""
        phase = Phase(f"fixed {rate:g}/s")
        ready: deque = deque(self.senders.new() for _ in range(people))
        in_flight: set[asyncio.Task] = set()
        skipped = 0

        async def one(phone: str, texts, due: float) -> None:
            text = next(texts, None)
            if text is None:
                phase.completed_checks += 1
                phone, texts = self.senders.new()
                text = next(texts)
            await self.send(http, phase, phone, text, due)
            ready.append((phone, texts))

        async with session(max_in_flight) as http:
            start = time.perf_counter()
            total = min(int(rate * seconds), MAX_MESSAGES)
            for n in range(total):
                due = start + n / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                if not ready or len(in_flight) >= max_in_flight:
                    skipped += 1  # the server is that far behind: count it, do not pile on
                    phase.errors["not_sent_server_behind"] += 1
                    continue
                phone, texts = ready.popleft()
                task = asyncio.create_task(one(phone, texts, due))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
            if in_flight:
                await asyncio.wait(in_flight, timeout=30)
            phase.elapsed = time.perf_counter() - start
        return phase


def round_trips_from_log(text: str) -> float | None:
    """The mean ``round_trips`` of the app's "message" log lines (JSON, one a line)."""
    trips = [int(m) for m in re.findall(r'"event": "message".*?"round_trips": (\d+)', text)]
    return sum(trips) / len(trips) if trips else None


def warm(server: benchlib.Gunicorn, seed: int) -> None:
    """Imports, connections, caches: a few seconds of light load before measuring."""
    asyncio.run(Load(server.url, seed).opened(40, 3, 20, 64))


def run(args: argparse.Namespace) -> dict:
    """Both servers up at once; the capacity rounds, then the fixed-rate rounds, alternate
    between them (so a busy moment on the machine hurts both alike)."""
    redis_server = benchlib.RedisServer().start()
    data_dir = tempfile.mkdtemp(prefix="clearline-bench-")
    servers: dict[str, benchlib.Gunicorn] = {}
    try:
        env = benchlib.app_env(redis_server.url, data_dir)
        trips, commands = benchlib.redis_cost_per_message(redis_server.url, data_dir)
        redis_server.client().flushall()
        servers["clearline"] = benchlib.Gunicorn("bot.app:create_app()", env).start()
        warm(servers["clearline"], args.seed)
        servers["baseline"] = benchlib.Gunicorn(
            "baseline_app:app", dict(env, BASELINE_ROUND_TRIPS=str(round(trips)),
                                     BASELINE_COMMANDS=str(round(commands))),
            extra_path=str(Path(__file__).resolve().parent)).start()
        warm(servers["baseline"], args.seed)
        rounds: dict[str, list[Phase]] = {name: [] for name in servers}
        for i in range(args.rounds):
            order = list(servers) if i % 2 == 0 else list(reversed(servers))
            for name in order:
                load = Load(servers[name].url, seed=args.seed + i)
                rounds[name].append(asyncio.run(load.closed(args.concurrency,
                                                            args.seconds / args.rounds)))
        fixed = {name: Phase(f"fixed {args.rate:g}/s") for name in servers}
        fixed_p99: dict[str, list[float]] = {name: [] for name in servers}
        for i in range(args.rounds):
            order = list(servers) if i % 2 == 0 else list(reversed(servers))
            for name in order:
                load = Load(servers[name].url, seed=args.seed + 100 + i)
                phase = asyncio.run(load.opened(args.rate, args.seconds / args.rounds,
                                                args.people, 256))
                fixed[name].add(phase)
                fixed_p99[name].append(phase.summary()["p99_ms"])
        log_text = servers["clearline"].log_text()
        version = redis_server.version()
    finally:
        for server in servers.values():
            server.stop()
            server.log_path.unlink(missing_ok=True)
        redis_server.stop()
    out: dict = {}
    for name, server in servers.items():
        caps = sorted(rounds[name], key=lambda p: p.rate)
        median = caps[len(caps) // 2]
        out[name] = {"capacity": median.summary(),
                     "capacity_rounds_msg_per_s": [round(p.rate, 1) for p in rounds[name]],
                     "fixed_rate": fixed[name].summary(),
                     "fixed_rate_rounds_p99_ms": fixed_p99[name],
                     "argv": " ".join(server.argv[2:]),
                     "round_trips_per_message": round(trips) if name == "baseline"
                     else round(trips, 2),
                     "commands_per_message": round(commands) if name == "baseline"
                     else round(commands, 2)}
    out["clearline"]["round_trips_in_log"] = round_trips_from_log(log_text)
    out["clearline"]["problems_in_log"] = log_problems(log_text)
    ours, base = out["clearline"], out["baseline"]
    ratio = ours["capacity"]["messages_per_s"] / max(base["capacity"]["messages_per_s"], 1e-9)
    p99 = ours["fixed_rate"]["p99_ms"]
    return {
        "machine": benchlib.machine(),
        "load_average_at_end": benchlib.load_average(),
        "redis_server": f"{redis_server.binary} {version}",
        "clearline": ours,
        "baseline": base,
        "capacity_ratio": round(ratio, 3),
        "goals": {
            "capacity_ratio": {"goal": f">= {GOAL_RATIO:.0%}", "met": ratio >= GOAL_RATIO},
            "p99_ms_at_rate": {"goal": f"< {GOAL_P99_MS:g} ms at {GOAL_RATE:g}/s",
                               "met": p99 < GOAL_P99_MS and args.rate >= GOAL_RATE
                               and ours["fixed_rate"]["messages_per_s"] >= 0.95 * args.rate},
        },
        "settings": {"seconds": args.seconds, "rounds": args.rounds,
                     "concurrency": args.concurrency, "rate": args.rate,
                     "people": args.people},
    }


def log_problems(text: str) -> dict:
    """Counts of worrying lines in the app's log: errors, tracebacks, worker timeouts."""
    return {
        "errors": len(re.findall(r'"level": "(?:error|critical)"', text)),
        "tracebacks": text.count("Traceback"),
        "worker_timeouts": text.count("WORKER TIMEOUT"),
        "statuses": dict(Counter(re.findall(r'"event": "message".*?"status": "(\w+)"', text))),
    }


def show(result: dict) -> None:
    print(f"Webhook benchmark ({result['machine']}; load average at end "
          f"{result['load_average_at_end']})")
    print(f"  redis: {result['redis_server']}")
    print(f"  gunicorn: {result['clearline']['argv']}")
    s = result["settings"]
    print(f"  capacity: {s['concurrency']} people at once, {s['rounds']} alternating rounds "
          f"over {s['seconds']:g} s each server (median round shown); latency: {s['rate']:g} "
          f"messages/s, {s['rounds']} alternating rounds over {s['seconds']:g} s (pooled)")
    print()
    print(f"  {'':10} {'capacity msg/s':>15} {'at rate msg/s':>14} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'non-200':>8} {'trips/msg':>9} {'cmds/msg':>8}")
    for name in ("clearline", "baseline"):
        row = result[name]
        cap, fix = row["capacity"], row["fixed_rate"]
        bad = sum(v for k, v in {**cap["statuses"], **fix["statuses"]}.items() if k != 200)
        bad += sum(cap["errors"].values()) + sum(fix["errors"].values())
        trips = row.get("round_trips_per_message")
        print(f"  {name:10} {cap['messages_per_s']:>15,.1f} {fix['messages_per_s']:>14,.1f} "
              f"{fix['p50_ms']:>8.2f} {fix['p95_ms']:>8.2f} {fix['p99_ms']:>8.2f} {bad:>8} "
              f"{trips if trips is None else round(trips, 2):>9} "
              f"{row['commands_per_message']:>8}")
    print()
    goals = result["goals"]
    print(f"  capacity vs baseline: {result['capacity_ratio']:.0%} (goal "
          f"{goals['capacity_ratio']['goal']}): "
          f"{'MET' if goals['capacity_ratio']['met'] else 'NOT MET'}")
    print(f"  p99 at {s['rate']:g}/s: {result['clearline']['fixed_rate']['p99_ms']:.1f} ms (goal "
          f"{goals['p99_ms_at_rate']['goal']}): "
          f"{'MET' if goals['p99_ms_at_rate']['met'] else 'NOT MET'}")
    ours = result["clearline"]
    print(f"  capacity rounds, msg/s: clearline {ours['capacity_rounds_msg_per_s']}, "
          f"baseline {result['baseline']['capacity_rounds_msg_per_s']}")
    print(f"  p99 of each fixed-rate round, ms: clearline {ours['fixed_rate_rounds_p99_ms']}, "
          f"baseline {result['baseline']['fixed_rate_rounds_p99_ms']}")
    print(f"  app log: {ours['problems_in_log']}")
    print(f"  complete checks: {ours['capacity']['completed_checks']} (capacity), "
          f"{ours['fixed_rate']['completed_checks']} (fixed rate); answered with a message: "
          f"{ours['capacity']['answered'] + ours['fixed_rate']['answered']} of "
          f"{ours['capacity']['messages'] + ours['fixed_rate']['messages']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each phase")
    parser.add_argument("--concurrency", type=int, default=32,
                        help="people at once in the capacity phase")
    parser.add_argument("--rate", type=float, default=GOAL_RATE,
                        help="messages a second in the latency phase")
    parser.add_argument("--people", type=int, default=100,
                        help="people in conversation at once in the latency phase")
    parser.add_argument("--rounds", type=int, default=4,
                        help="capacity rounds per server, alternating (median reported)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    else:
        show(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
