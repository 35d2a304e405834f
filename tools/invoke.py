"""Run any action from a terminal, through the SDK exactly as Autohive does (schemas validated both ways).

    bin/invoke --list
    bin/invoke get_events '{"limit": 5}'
    bin/invoke create_event @event.json        # inputs from a file
    echo '{}' | bin/invoke get_self -          # inputs from standard input

Against real Luma when LUMA_API_KEY is set, otherwise against the local Luma seeded with sample data.
"""

import argparse
import asyncio
import json
import sys
from typing import Any

from luma import luma
from tools.session import luma_session, outcome


def read_inputs(source: str | None) -> dict[str, Any]:
    if source is None:
        return {}
    if source == "-":
        text = sys.stdin.read()
    elif source.startswith("@"):
        with open(source[1:], encoding="utf-8") as handle:
            text = handle.read()
    else:
        text = source
    try:
        inputs = json.loads(text or "{}")
    except json.JSONDecodeError as error:
        raise SystemExit(f"inputs are not valid JSON: {error}") from None
    if not isinstance(inputs, dict):
        raise SystemExit('inputs must be a JSON object, e.g. \'{"event_api_id": "evt-..."}\'')
    return inputs


def action_summaries() -> str:
    lines = []
    for name, action in sorted(luma.config.actions.items()):
        schema = action.input_schema or {}
        required = set(schema.get("required", []))
        fields = [f"{key}{'*' if key in required else ''}" for key in schema.get("properties", {})]
        summary = action.description.split(". ")[0].rstrip(".")
        lines.append(f"{name:<22} {summary}.\n{'':<22} inputs: {', '.join(fields) or '(none)'}")
    return "\n".join(lines) + "\n\n* = required"


async def invoke(action: str, inputs: dict[str, Any]) -> int:
    async with luma_session() as session:
        print(f"# {action} against {session.target}", file=sys.stderr)
        succeeded, payload = outcome(await session.run(action, inputs))
    if succeeded:
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    print(json.dumps({"error": payload}, indent=2, ensure_ascii=False))
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bin/invoke", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("action", nargs="?", help="action name, e.g. get_events")
    parser.add_argument("inputs", nargs="?", help="inputs as JSON, @file.json, or - for standard input")
    parser.add_argument("--list", action="store_true", help="list the actions and their inputs")
    args = parser.parse_args(argv)
    if args.list or not args.action:
        print(action_summaries())
        return 0
    if args.action not in luma.config.actions:
        print(f"unknown action '{args.action}'; bin/invoke --list shows them", file=sys.stderr)
        return 2
    return asyncio.run(invoke(args.action, read_inputs(args.inputs)))


if __name__ == "__main__":
    sys.exit(main())
