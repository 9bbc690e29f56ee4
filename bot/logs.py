"""Structured logs: one JSON object a line, with no phone number, chat id or message text.

Code logs events with fixed names and a few safe fields (channel, status, timings):
``log.info("message", extra={"fields": {"channel": "sms", "status": "ok"}})``.
As a safety net the formatter also blanks any long run of digits (a phone number or a
chat id that slipped into an exception message), and the loggers of libraries that
print URLs with the bot token or update contents are kept at WARNING.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any

from gunicorn.glogging import Logger as _GunicornLogger

_DIGITS = re.compile(r"\+?\d[\d ().-]{5,}\d")
_TOKEN = re.compile(r"bot\d+:[A-Za-z0-9_-]+")
_QUIET = ("httpx", "httpcore", "telegram", "telegram.ext", "twilio", "urllib3", "apscheduler")


_IPV4 = re.compile(r"(?:\d{1,3}\.){3}\d{1,3}")


_PORT_PID = re.compile(r"\d{1,5} \(\d{1,7}")


def _digits(match: re.Match) -> str:
    # gunicorn's "Listening at: http://127.0.0.1:8000 (4242)": an IPv4 address, and a port
    # then a process id, are no phone number
    found = match.group()
    if _IPV4.fullmatch(found):
        return found
    after_colon = match.start() > 0 and match.string[match.start() - 1] == ":"
    return found if after_colon and _PORT_PID.fullmatch(found) else "[redacted]"


def scrub(text: str) -> str:
    """``text`` with bot tokens and runs of 7 or more digits replaced (not IPv4 addresses)."""
    if not _ANY_DIGIT.search(text):  # both patterns need a digit: most texts have none
        return text
    return _DIGITS.sub(_digits, _TOKEN.sub("bot[redacted]", text))


_ANY_DIGIT = re.compile(r"\d")


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON line: time, level, logger, event, safe fields."""

    _second: tuple[int, str] = (-1, "")  # the last whole second formatted, and its text

    def _timestamp(self, created: float, msecs: float) -> str:
        second = int(created)
        cached = self._second
        if cached[0] != second:
            cached = self._second = (
                second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        return f"{cached[1]}.{int(msecs):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self._timestamp(record.created, record.msecs),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": scrub(record.getMessage()),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            for key, value in fields.items():
                entry[key] = scrub(value) if isinstance(value, str) else value
        if record.exc_info:
            exc_type = record.exc_info[0]
            entry["error"] = exc_type.__name__ if exc_type else "Exception"
            entry["detail"] = scrub(str(record.exc_info[1]))[:300]
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup(level: str = "INFO", stream: Any = None) -> None:
    """Send every log line of this process, as JSON, to ``stream`` (default stderr)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(WithheldDetail())
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old.formatter, JsonFormatter):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, str(level).upper(), logging.INFO))
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)


class WithheldDetail(logging.Filter):
    """Library log lines (PTB, httpx) keep their level, logger and error type, not their
    text: a Bot API error body or a URL is someone else's words, maybe with a chat id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.split(".")[0] not in _QUIET:
            return True
        if record.exc_info and record.exc_info[0] is not None:
            kind = record.exc_info[0].__name__
            record.exc_info = None
            record.exc_text = None
        else:
            kind = ""
        record.msg = f"{record.name}: detail withheld" + (f" ({kind})" if kind else "")
        record.args = ()
        return True


def event(logger: logging.Logger, name: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one named event with safe fields (never pass message text or a sender id)."""
    logger.log(level, name, extra={"fields": fields})


class GunicornLogger(_GunicornLogger):
    """gunicorn's own log lines (start, workers, errors) as JSON lines too.

    Used by ``clearline serve`` and the Procfile (``--logger-class bot.logs.GunicornLogger``).
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())
