"""The webhook benchmark's baseline: the least a Flask SMS endpoint can do with Redis.

``POST /sms`` reads the sender's hash, writes it back with a TTL, and bumps a counter:
``BASELINE_ROUND_TRIPS`` round trips to Redis (default 3, what Clearline's SMS path
costs a message), then answers with a fixed TwiML string. No signature check, no dialog,
no rules: what is left is Flask, gunicorn and Redis, the floor our path is compared with.
Run by ``bench/webhook.py`` on gunicorn with the Procfile's settings.
"""

from __future__ import annotations

import os

import redis
from flask import Flask, Response, request

app = Flask(__name__)
client = redis.Redis.from_url(os.environ["REDIS_URL"], max_connections=64)
ROUND_TRIPS = int(os.environ.get("BASELINE_ROUND_TRIPS", "3"))
TWIML = ('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks, got it.'
         "</Message></Response>")


@app.post("/sms")
def sms() -> Response:
    key = "baseline:{" + request.form.get("From", "") + "}:s"
    trips = [
        lambda: client.hgetall(key),
        lambda: client.pipeline().hset(key, mapping={"st": request.form.get("Body", ""),
                                                     "v": "1"}).expire(key, 3600).execute(),
        lambda: client.pipeline().hincrby("baseline:stats", "all", 1)
        .expire("baseline:stats", 3600).execute(),
    ]
    for i in range(ROUND_TRIPS):
        trips[i % len(trips)]()
    return Response(TWIML, mimetype="application/xml")


@app.get("/healthz")
def healthz() -> tuple[str, int]:
    return ("ok", 200) if client.ping() else ("down", 503)
