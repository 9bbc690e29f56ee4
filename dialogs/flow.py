"""Flows as data: load the YAML files in ``dialogs/flows/`` into small typed objects."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import yaml

FLOWS_DIR: Final = Path(__file__).parent / "flows"
ASSESS: Final = "assess"  # the pseudo-node: ask rules what is missing, or give the verdict
NODE_TYPES: Final = ("message", "question", "verdict", "end")
ACTIONS: Final = ("new_check", "finish", "erase", "resume", "same_place")
CONDITIONS: Final = ("after_a_check_with_county",)


@dataclass(frozen=True)
class Choice:
    """One answer a person can pick."""

    id: str
    label: str  # message key
    set: dict[str, Any] = field(default_factory=dict)
    next: str | None = None
    do: str | None = None
    kinds: tuple[str, ...] = ()  # shown only for these kinds of case (empty: always)


@dataclass(frozen=True)
class Node:
    """One step of a flow."""

    id: str
    type: str
    fact: str | None = None
    facts: tuple[str, ...] = ()  # a node that asks several facts at once
    ask: str | None = None
    say: str | None = None
    parse: str | None = None
    next: str | None = None
    when: str | None = None  # asked only when this condition holds (see CONDITIONS)
    prefer: str | None = None  # "choices": a choice named in a sentence beats the parser
    choices: tuple[Choice, ...] = ()
    # for_kind's views, made once per kind (the flow does not change while it runs)
    views: dict[str | None, Node] = field(default_factory=dict, compare=False, repr=False)

    @property
    def asks(self) -> tuple[str, ...]:
        """The facts this node asks for."""
        return ((self.fact,) if self.fact else ()) + self.facts

    @property
    def sets(self) -> frozenset[str]:
        """Every fact an answer to this node may set (BACK clears them)."""
        keys = {key for choice in self.choices for key in choice.set}
        keys.update(self.asks)
        if self.parse == "county":
            keys.update({"court", "county"})
        return frozenset(keys)

    def for_kind(self, kind: str | None) -> Node:
        """This node with only the choices shown for a kind of case (see ``Choice.kinds``)."""
        view = self.views.get(kind)
        if view is None:
            if any(c.kinds for c in self.choices):
                shown = tuple(c for c in self.choices if not c.kinds or kind in c.kinds)
                view = replace(self, choices=shown, views={})
            else:
                view = self
            self.views[kind] = view
        return view

    def choice(self, choice_id: str) -> Choice | None:
        """The choice with this id, if any."""
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class Flow:
    """A whole flow: its nodes, version and global command keywords."""

    name: str
    version: int
    start: str
    nodes: dict[str, Node]
    commands: dict[str, tuple[str, ...]]
    budgets: dict[str, Any] = field(default_factory=dict)
    by_fact: dict[str, tuple[Node, ...]] = field(default_factory=dict)  # see ``fact_index``

    @property
    def check_budget(self) -> tuple[int, int]:
        """At most this many messages from the person, and SMS segments sent, per check."""
        return (int(self.budgets.get("max_person_messages", 8)),
                int(self.budgets.get("max_segments_sent", 14)))

    @property
    def verdict_floor(self) -> int:
        """SMS segments any verdict's required parts take, with the question after it."""
        return int(self.budgets.get("verdict_floor", 6))

    def for_fact(self, fact: str) -> tuple[Node, ...]:
        """The question nodes that ask ``fact``, in the flow file's order."""
        return self.by_fact.get(fact, ())



def fact_index(nodes: dict[str, Node]) -> dict[str, tuple[Node, ...]]:
    """The question nodes that ask each fact, in the flow file's order."""
    found: dict[str, list[Node]] = {}
    for node in nodes.values():
        if node.type == "question":
            for fact in node.asks:
                found.setdefault(fact, []).append(node)
    return {fact: tuple(nodes) for fact, nodes in found.items()}


def _choice(raw: dict[str, Any]) -> Choice:
    return Choice(
        id=str(raw["id"]),
        label=str(raw["label"]),
        set=dict(raw.get("set") or {}),
        next=raw.get("next"),
        do=raw.get("do"),
        kinds=tuple(str(k) for k in raw.get("kinds") or ()),
    )


def _node(node_id: str, raw: dict[str, Any]) -> Node:
    return Node(
        id=node_id,
        type=str(raw.get("type", "question")),
        fact=raw.get("fact"),
        facts=tuple(str(f) for f in raw.get("facts") or ()),
        ask=raw.get("ask"),
        say=raw.get("say"),
        parse=raw.get("parse"),
        next=raw.get("next"),
        when=raw.get("when"),
        prefer=raw.get("prefer"),
        choices=tuple(_choice(c) for c in raw.get("choices") or ()),
    )


def load(path: Path) -> Flow:
    """Read one flow file."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    nodes = {str(k): _node(str(k), v or {}) for k, v in (raw.get("nodes") or {}).items()}
    raw_commands = raw.get("commands") or {}
    commands = {k: tuple(str(w).casefold() for w in v) for k, v in raw_commands.items()}
    return Flow(
        name=str(raw["flow"]),
        version=int(raw["version"]),
        start=str(raw["start"]),
        nodes=nodes,
        commands=commands,
        budgets=dict(raw.get("budgets") or {}),
        by_fact=fact_index(nodes),
    )


def load_all() -> dict[str, Flow]:
    """Every flow in ``dialogs/flows/``, by name."""
    flows = (load(p) for p in sorted(FLOWS_DIR.glob("*.yaml")))
    return {f.name: f for f in flows}


FLOWS: Final[dict[str, Flow]] = load_all()
MAIN: Final[Flow] = FLOWS["check"]
