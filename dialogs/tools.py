"""Tools for flow and wording editors: ``clearline chat``, ``flows check``, ``flows diagram``.

The checks live in ``dialogs.checks`` and the diagrams in ``dialogs.diagram``; this module
is what the ``clearline`` command line calls.
"""

from __future__ import annotations

from typing import TextIO

from . import engine, sms, voice
from .checks import check_flows
from .diagram import write_diagrams

__all__ = ["chat_loop", "check_flows", "write_diagrams"]

# For editors at a terminal (not a message people receive).
START_HINT = "Type a first message to start, as a person would (like: hi). Ctrl-D ends.\n\n"


def _print_replies(replies: list[dict], stdout: TextIO) -> None:
    for reply in replies:
        labels = [c["label"] for c in reply["choices"]]
        stdout.write(sms.body(reply["text"], labels) + "\n\n")


def chat_loop(lang: str | None, stdin: TextIO, stdout: TextIO, channel: str = "cli") -> int:
    """Talk to the bot in a terminal: numbered choices like SMS (``channel="voice"``: what
    a call would say); exit 0 at end of input."""
    try:
        if channel == "voice":
            return _voice_chat(lang, stdin, stdout)
        return _chat(lang, stdin, stdout)
    except (KeyboardInterrupt, BrokenPipeError):
        return 0


def _read(stdin: TextIO, stdout: TextIO, interactive: bool) -> str | None:
    """One line of the person's, echoed when it comes from a file; None at the end."""
    if interactive:
        stdout.write("> ")
        stdout.flush()
    line = stdin.readline()
    if not line:
        return None
    if not interactive:
        stdout.write(f"> {line.rstrip()}\n")
    return line.rstrip("\n")


def _say(prompt: voice.Prompt, stdout: TextIO) -> None:
    pace = "slowly, " if prompt.slow else ""
    then = "then hangs up" if prompt.ended else (
        f"then listens: {voice.LANG_CODES.get(prompt.lang, 'en-US')}, "
        f"{'one key' if prompt.num_digits == 1 else 'keys'} or speech"
        + (f"; hints: {prompt.hints}" if prompt.hints else ""))
    stdout.write(f"({pace}{voice.prompt_seconds(prompt):.0f} s) {prompt.text}\n[{then}]\n\n")
    stdout.flush()


def _voice_chat(lang: str | None, stdin: TextIO, stdout: TextIO) -> int:
    """What a call says, for editors: type what the caller says or presses."""
    interactive = hasattr(stdin, "isatty") and stdin.isatty()
    _say(voice.intro(), stdout)
    state: dict | None = None
    first = {"en": "1", "es": "2"}.get(lang or "")
    while True:
        line = first if first and state is None else _read(stdin, stdout, interactive)
        if line is None:
            return 0
        text = voice.LANG_PICK.get(line.strip(), line) if state is None else line
        state, replies = engine.step(state, {"text": text, "channel": "voice"})
        state, _, _ = engine.pop_signals(state)
        prompt = voice.prompt(state["lang"], replies, state.get("node"), voice.takes_number(state))
        _say(prompt, stdout)
        if prompt.ended:
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
