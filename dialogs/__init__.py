"""The dialog-state machine: a pure ``step(state, event) -> (state, replies)``."""
