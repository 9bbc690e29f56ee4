"""Tools for flow and wording editors: ``clearline chat``, ``flows check``, ``flows diagram``.

The checks live in ``dialogs.checks`` and the diagrams in ``dialogs.diagram``; this module
is what the ``clearline`` command line calls.
"""

from __future__ import annotations

from typing import TextIO

from . import engine, sms
from .checks import check_flows
from .diagram import write_diagrams

__all__ = ["chat_loop", "check_flows", "write_diagrams"]

# For editors at a terminal (not a message people receive).
START_HINT = "Type a first message to start, as a person would (like: hi). Ctrl-D ends.\n\n"


def _print_replies(replies: list[dict], stdout: TextIO) -> None:
    for reply in replies:
        labels = [c["label"] for c in reply["choices"]]
        stdout.write(sms.body(reply["text"], labels) + "\n\n")


def chat_loop(lang: str | None, stdin: TextIO, stdout: TextIO) -> int:
    """Talk to the bot in a terminal: numbered choices like SMS; exit 0 at end of input."""
    try:
        return _chat(lang, stdin, stdout)
    except (KeyboardInterrupt, BrokenPipeError):
        return 0


def _chat(lang: str | None, stdin: TextIO, stdout: TextIO) -> int:
    """The person's first line starts the conversation, as a first SMS does."""
    interactive = hasattr(stdin, "isatty") and stdin.isatty()
    state: dict | None = {"lang": lang} if lang else None  # a language to start in
    if interactive:
        stdout.write(START_HINT)
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            return 0
        if not interactive:
            stdout.write(f"> {line.rstrip()}\n")
        state, replies = engine.step(state, {"text": line.rstrip("\n"), "channel": "cli"})
        state, effects, _ = engine.pop_signals(state)
        for effect in effects:
            stdout.write(f"[{effect}]\n")
        _print_replies(replies, stdout)
        stdout.flush()
