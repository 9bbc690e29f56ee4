"""Many messages at once, against gunicorn with the Procfile's settings (2 worker processes,
4 threads each) and a real Redis: nothing lost, nothing applied twice, never a state that
no order of the messages could have produced."""

from __future__ import annotations

import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import twilio_client

import dialogs
from bot.conversation import clean_text
from bot.sms import render
from bot.wording import notice

PHONE = "+12135550147"
BUSY = notice("busy")["text"]

# 50 different texts: answers to several questions of the check, commands, numbers, words
# it will not understand, other scripts and emoji. No carrier keyword (STOP...) and no
# DELETE: those are tested on their own.
TEXTS = [
    "Fresno", "Los Angeles", "Humboldt", "1", "2", "3", "4", "5", "2010", "2009", "the 90s",
    "Had it", "Grew it", "Had it to sell", "Misdemeanor", "Felony", "21 or older", "25",
    "No", "Yes", "No, none", "not sure", "BACK", "HELP", "maybe", "ok", "what?", "hmm",
    "California", "federal court", "I don't know", "🙂", "你好", "مرحبا", "Ω", "x" * 300,
    "1999", "1975", "Alameda", "San Francisco", "yes please", "no thanks", "huh",
    "2016", "2018", "weed", "pot", "grow", "sell", "possession",
]
assert len(set(TEXTS)) == 50


def post(http: httpx.Client, url: str, sender: str, body: str, sid: str | None = None):
    form = twilio_client.params(sender, body, sid or twilio_client.new_sid())
    headers = {"X-Twilio-Signature": twilio_client.sign(twilio_client.PUBLIC_URL + "/sms", form)}
    response = http.post(url + "/sms", data=form, headers=headers)
    found = twilio_client.messages(response.text) if response.status_code == 200 else []
    return response.status_code, found


def saved(store_redis, digest: str) -> dict:
    raw = store_redis.hgetall(f"clearline:{{{digest}}}:s")
    return {k.decode(): v.decode() for k, v in raw.items()}


def step_sms(state: dict | None, text: str) -> tuple[dict, list[str]]:
    """What the SMS path does with one text: the engine's step, the SMS bodies sent."""
    new, replies = dialogs.step(state, {"text": clean_text(text), "channel": "sms"})
    new, _, _ = dialogs.pop_signals(new)
    return new, render(replies)


def check_in_order(start: dict, order: list[str], answered: dict[str, list[str]],
                   final: dict) -> None:
    """Stepping ``order`` one after another from ``start`` gives each text exactly the SMS
    it was answered with, and ends in ``final``: the state is what those messages, in that
    order, make of it, and every reply was computed on the state it was saved over."""
    state = start
    for text in order:
        state, sent = step_sms(state, text)
        assert sent == answered[text], f"{text!r} was answered from another state"
    def plain(st: dict) -> dict:  # "last": when the last message came (double-send check)
        return {k: v for k, v in st.items() if k != "last"}

    assert plain(state) == plain(final), "the saved state is not what the messages made of it"


class CommitLog:
    """Redis MONITOR in a thread: the session store's commit calls in execution order."""

    def __init__(self, client, commit_sha: str) -> None:
        self.client = client
        self.sha = commit_sha
        self.commits: list[tuple[str, str, str]] = []  # (version read, version written, id)
        self.monitor = client.monitor().__enter__()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        pattern = re.compile(r'"(.*?)(?<!\\)"')
        while True:
            raw = self.monitor.connection.read_response()
            line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            if "commit-log-end" in line:
                return
            args = pattern.findall(line)
            if len(args) >= 12 and args[0].lower() == "evalsha" and args[1] == self.sha:
                self.commits.append((args[6], args[8], args[11]))

    def stop(self) -> None:
        self.client.echo("commit-log-end")
        self.thread.join(timeout=10)
        self.monitor.__exit__()

    def chain(self, version: str) -> list[str]:
        """The message ids whose commit won, in order, starting from ``version``: each
        commit that read the current version wrote the next (the others changed nothing)."""
        out = []
        for read, written, message in self.commits:
            if read == version:
                out.append(message)
                version = written
        return out


def test_50_different_texts_from_one_sender_at_once(gunicorn, durable_redis, session_store):
    server = gunicorn()
    redis = durable_redis.client()
    sids = {text: twilio_client.new_sid() for text in TEXTS}
    with httpx.Client(timeout=60, limits=httpx.Limits(max_connections=50)) as http:
        status, first = post(http, server.url, PHONE, "Hi")
        assert status == 200 and first
        digest = session_store.person("sms", PHONE).digest
        before = saved(redis, digest)
        start = json.loads(before["st"])
        log = CommitLog(durable_redis.client(), session_store._commit.sha)
        try:
            with ThreadPoolExecutor(50) as pool:
                results = list(pool.map(lambda t: post(http, server.url, PHONE, t, sids[t]),
                                        TEXTS))
        finally:
            log.stop()
    assert [status for status, _ in results] == [200] * 50
    assert all(messages for _, messages in results)  # every one answered: none lost
    answered = {text: messages for text, (_, messages) in zip(TEXTS, results, strict=True)
                if messages != [BUSY]}
    asked_again = sorted(set(TEXTS) - set(answered))  # "please send it again"
    end = saved(redis, digest)
    assert int(end["n"]) == 1 + len(answered)  # each answered text applied exactly once
    final = json.loads(end["st"])
    assert dialogs.is_valid(final)
    # the order Redis applied them in, from the commit calls it ran
    text_of = {session_store.message_key(sid): text for text, sid in sids.items()}
    order = [text_of[m] for m in log.chain(before["v"])]
    assert sorted(order) == sorted(answered)  # the answered ones, each once; none asked again
    assert not set(order) & set(asked_again)
    check_in_order(start, order, answered, final)
    # the person can carry on from there
    with httpx.Client(timeout=30) as http:
        status, after = post(http, server.url, PHONE, "BACK")
    assert status == 200 and after and after != [BUSY]


def test_the_same_webhook_10_times_across_worker_processes(gunicorn, durable_redis):
    server = gunicorn()
    redis = durable_redis.client()
    with httpx.Client(timeout=30, limits=httpx.Limits(max_connections=10)) as http:
        post(http, server.url, PHONE, "Hi")
        sid = twilio_client.new_sid()
        with ThreadPoolExecutor(10) as pool:
            results = list(pool.map(lambda _: post(http, server.url, PHONE, "Fresno", sid),
                                    range(10)))
    assert [status for status, _ in results] == [200] * 10
    assert sum(1 for _, messages in results if messages) == 1  # one answer
    digest = next(k.decode().split("{")[1].split("}")[0]
                  for k in redis.scan_iter("clearline:{*}:s"))
    assert saved(redis, digest)["n"] == "2"  # one state change
    assert server.log_text().count("Booting worker") == 2  # really two processes


def test_the_order_check_catches_lost_updates_and_stale_replies():
    """The check above can fail: a lost update or a reply from the wrong state is caught."""
    start, _ = step_sms(None, "Hi")
    texts = ["what?", "Fresno", "hmm", "Had it", "2010", "2009"]
    state, answered = start, {}
    for text in texts:
        state, answered[text] = step_sms(state, text)
    check_in_order(start, texts, answered, state)
    with pytest.raises(AssertionError, match="saved state"):
        check_in_order(start, [t for t in texts if t != "2009"], answered, state)  # lost
    with pytest.raises(AssertionError, match="another state"):
        check_in_order(start, ["Fresno", "what?", *texts[2:]], answered, state)  # stale
