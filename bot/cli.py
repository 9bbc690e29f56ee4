"""The ``clearline`` command line.

Each command is a thin wrapper: the work lives in the module named for it, imported when
the command runs (the one place our modules are imported inside functions, a measured
cost): with ``python -X importtime`` on the 2-vCPU machine, load average 5 to 6
(2026-12-02), ``rules`` takes 0.07-0.17 s to import, ``dialogs.tools`` 3.4 s and
``bot.serve`` (the whole web app) 3.5-4.3 s; imported up front, every ``clearline assess``
would wait for all of them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TextIO

DESCRIPTION = ("Clearline: check an old California cannabis conviction, talk to the bot, "
               "check the conversation's wording, or run the bot.")
NO_FACTS = ("clearline assess: no facts given: pass --facts '{\"offense\": \"11359\"}' "
            "or pipe a JSON object on standard input")


class EmptyFacts(ValueError):
    """No facts at all: empty ``--facts`` or empty standard input."""


def _read_facts(args: argparse.Namespace, stdin: TextIO) -> dict:
    """Parse the facts JSON from ``--facts`` or standard input."""
    raw = args.facts if args.facts is not None else stdin.read()
    if not raw.strip():
        raise EmptyFacts
    facts = json.loads(raw)
    if not isinstance(facts, dict):
        raise ValueError("the facts must be a JSON object, like {\"county\": \"Fresno\"}")
    return facts


def cmd_assess(args: argparse.Namespace) -> int:
    """Print the assessment of one conviction's facts as JSON."""
    import rules

    try:
        facts = _read_facts(args, sys.stdin)
    except EmptyFacts:
        print(NO_FACTS, file=sys.stderr)
        return 2
    except (json.JSONDecodeError, ValueError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        print(f"clearline assess: bad facts JSON: {reason}", file=sys.stderr)
        return 2
    result = rules.assess(facts).to_dict()
    json.dump(result, sys.stdout, indent=2 if args.pretty else None, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """Talk to the bot in this terminal."""
    from dialogs import tools

    return tools.chat_loop(lang=args.lang, stdin=sys.stdin, stdout=sys.stdout,
                           channel=args.channel)


def cmd_flows_check(args: argparse.Namespace) -> int:
    """Check every flow and message catalog; print the budgets."""
    from dialogs import tools

    ok, report = tools.check_flows()
    print(report)
    return 0 if ok else 1


def cmd_flows_diagram(args: argparse.Namespace) -> int:
    """Print Mermaid diagrams of the flows and write them to ``docs/``."""
    from dialogs import tools

    print(tools.write_diagrams(args.out))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the web process (web chat, SMS and Telegram webhooks)."""
    from bot import serve

    return serve.main(host=args.host, port=args.port)


def cmd_telegram(args: argparse.Namespace) -> int:
    """Run the Telegram polling worker."""
    from bot import telegram

    return telegram.run_polling()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every ``clearline`` command."""
    parser = argparse.ArgumentParser(prog="clearline", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)

    assess = sub.add_parser("assess", help="assess one conviction's facts (JSON) and print JSON")
    assess.add_argument("--facts", help="the facts as a JSON object (default: read stdin)")
    assess.add_argument("--pretty", action="store_true", help="indent the JSON output")
    assess.set_defaults(func=cmd_assess)

    chat = sub.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--lang", choices=["en", "es"], default=None, help="start in this language")
    chat.add_argument("--channel", choices=["cli", "voice"], default="cli",
                      help="voice: show what a phone call would say")
    chat.set_defaults(func=cmd_chat)

    flows = sub.add_parser("flows", help="tools for flow and wording editors")
    flows_sub = flows.add_subparsers(dest="flows_command", required=True)
    check = flows_sub.add_parser("check", help="check flows and catalogs, print SMS budgets")
    check.set_defaults(func=cmd_flows_check)
    diagram = flows_sub.add_parser("diagram", help="print Mermaid diagrams, write them to docs/")
    diagram.add_argument("--out", default="docs", help="folder to write the diagrams to")
    diagram.set_defaults(func=cmd_flows_diagram)

    serve = sub.add_parser("serve", help="run the web process with an embedded Redis")
    serve.add_argument("--host", default=None, help="address (default $HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default $PORT or 8000)")
    serve.set_defaults(func=cmd_serve)

    telegram = sub.add_parser("telegram", help="run the Telegram polling worker")
    telegram.set_defaults(func=cmd_telegram)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``clearline`` console script."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
