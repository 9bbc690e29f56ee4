"""The webhook benchmark's baseline: the least a Flask SMS endpoint can do with Redis.

``POST /sms`` makes ``BASELINE_ROUND_TRIPS`` round trips to Redis carrying
``BASELINE_COMMANDS`` commands in all (``bench/webhook.py`` sets both to what Clearline's
SMS path sends a message, counted on the wire): it reads the sender's hash, writes it back
with a TTL, and bumps counters with TTLs, in pipelines; then it answers a fixed TwiML. No
signature check, no dialog, no rules: what is left is Flask, gunicorn and Redis, the floor
our path is compared with.
"""

from __future__ import annotations

import os

import redis
from flask import Flask, Response, request

app = Flask(__name__)
client = redis.Redis.from_url(os.environ["REDIS_URL"], max_connections=64)
ROUND_TRIPS = max(int(os.environ.get("BASELINE_ROUND_TRIPS", "3")), 1)
COMMANDS = max(int(os.environ.get("BASELINE_COMMANDS", "9")), ROUND_TRIPS)
TWIML = ('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks, got it.'
         "</Message></Response>")


def batches() -> list[int]:
    """Commands in each round trip: one read, then the rest spread over the writes."""
    if ROUND_TRIPS == 1:
        return [COMMANDS]
    rest, trips = COMMANDS - 1, ROUND_TRIPS - 1
    return [1] + [rest // trips + (1 if i < rest % trips else 0) for i in range(trips)]


BATCHES = batches()


@app.post("/sms")
def sms() -> Response:
    key = "baseline:{" + request.form.get("From", "") + "}:s"
    client.hgetall(key)
    for trip, size in enumerate(BATCHES[1:], 1):
        pipe = client.pipeline(transaction=False)
        if trip == 1:
            pipe.hset(key, mapping={"st": request.form.get("Body", ""), "v": "1"})
            pipe.expire(key, 3600)
            size -= 2
        for i in range(max(size, 0)):
            if i % 2 == 0:
                pipe.hincrby(f"baseline:stats:{trip}", f"f{i}", 1)
            else:
                pipe.expire(f"baseline:stats:{trip}", 3600)
        pipe.execute()
    return Response(TWIML, mimetype="application/xml")


@app.get("/healthz")
def healthz() -> tuple[str, int]:
    return ("ok", 200) if client.ping() else ("down", 503)
