"""The dialog-state machine: a pure ``step(state, event) -> (state, replies)``.

``step`` advances one conversation by one incoming message; ``pop_signals`` splits the
returned state into what to save, the effects (``erase``, ``opt_out``, ``opt_in``) and
the aggregate-stat events. ``render_sms`` gives the SMS body of one reply (numbered
choices, the SMS accent policy). See ``docs/flows.md``.
"""

from .engine import FLOW, VERSION, is_valid, new_state, pop_signals, step
from .sms import render as render_sms
from .understand import command


def is_opt_out(text: str) -> bool:
    """True when the whole message is a carrier opt-out keyword (STOP, CANCEL, QUIT...)."""
    return isinstance(text, str) and command(text, FLOW) == "opt_out"


__all__ = ["VERSION", "is_opt_out", "is_valid", "new_state", "pop_signals", "render_sms", "step"]
