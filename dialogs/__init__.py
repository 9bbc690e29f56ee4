"""The dialog-state machine: a pure ``step(state, event) -> (state, replies)``.

``step`` advances one conversation by one incoming message; ``pop_signals`` splits the
returned state into what to save, the effects (``erase``, ``opt_out``, ``opt_in``) and
the aggregate-stat events. ``render_sms`` gives the SMS body of one reply (numbered
choices, the SMS accent policy). See ``docs/flows.md``.
"""

from .engine import VERSION, is_valid, new_state, pop_signals, step
from .sms import render as render_sms

__all__ = ["VERSION", "is_valid", "new_state", "pop_signals", "render_sms", "step"]
