"""Run any action (or trigger) from a terminal, through the SDK exactly as Autohive does (schemas checked both ways).

    bin/invoke --list                                   the actions and triggers, with their inputs
    bin/invoke get_events '{"limit": 5}'
    bin/invoke get_guests --help                        one action's inputs, with their descriptions
    bin/invoke create_event @event.json                 inputs from a file (path from where you stand)
    echo '{}' | bin/invoke get_self -                   inputs from standard input
    bin/invoke --trigger new_guest '{"event_api_id": "evt-..."}' --since 2026-11-01T00:00:00Z
    bin/invoke --reset                                  the embedded local Luma starts again from its demo data

Against real Luma when LUMA_API_KEY is set; against a server at LUMA_API_BASE_URL when only that is set; otherwise
against the embedded local Luma, which keeps its state between calls (ids from one call work in the next).
"""

import argparse
import asyncio
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from luma import luma
from tools.session import StateFileError, luma_session, outcome


class UsageError(Exception):
    """A bad command line: one line for the person who typed it, exit code 2."""


def read_inputs(source: str | None) -> dict[str, Any]:
    if source is None:
        return {}
    if source == "-" or source.startswith("@"):
        path = Path(source[1:]).expanduser() if source != "-" else None
        where = str(path) if path else "standard input"
        try:
            text = path.read_text(encoding="utf-8") if path else sys.stdin.read()
        except OSError as error:
            raise UsageError(f"cannot read inputs from {where}: {error.strerror or error}") from None
        except UnicodeDecodeError as error:
            raise UsageError(
                f"cannot read inputs from {where}: it is not UTF-8 text (byte 0x{error.object[error.start]:02x} at "
                f"position {error.start}); save it as UTF-8 JSON"
            ) from None
    else:
        text, where = source, "the inputs"
    try:
        inputs = json.loads(text or "{}")
    except json.JSONDecodeError as error:
        raise UsageError(f"{where}: not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})") from None
    if not isinstance(inputs, dict):
        raise UsageError('inputs must be a JSON object, e.g. \'{"event_api_id": "evt-..."}\'')
    return inputs


def summaries() -> str:
    def lines(entries: dict[str, Any]) -> list[str]:
        out = []
        for name, entry in sorted(entries.items()):
            schema = entry.input_schema or {}
            required = set(schema.get("required", []))
            fields = [f"{key}{'*' if key in required else ''}" for key in schema.get("properties", {})]
            summary = entry.description.split(". ")[0].rstrip(".")
            out.append(f"{name:<28} {summary}.\n{'':<28} inputs: {', '.join(fields) or '(none)'}")
        return out

    text = "\n".join(lines(luma.config.actions))
    if luma.config.polling_triggers:
        text += "\n\nTriggers (bin/invoke --trigger NAME):\n" + "\n".join(lines(luma.config.polling_triggers))
    return text + "\n\n* = required; bin/invoke NAME --help shows what each input means"


def help_for(name: str, entry: Any) -> str:
    schema = entry.input_schema or {}
    required = set(schema.get("required", []))
    out = [name, textwrap.fill(entry.description, 100), "", "inputs:"]
    for key, spec in schema.get("properties", {}).items():
        kind = spec.get("type") or ("one of several shapes" if "oneOf" in spec or "anyOf" in spec else "")
        kind = "/".join(kind) if isinstance(kind, list) else kind
        extra = []
        if "enum" in spec:
            extra.append("one of " + ", ".join(map(str, spec["enum"])))
        if "default" in spec:
            extra.append(f"default {json.dumps(spec['default'])}")
        head = f"  {key}{' (required)' if key in required else ''}: {kind}{'; ' + '; '.join(extra) if extra else ''}"
        out.append(head)
        if spec.get("description"):
            out.append(textwrap.fill(spec["description"], 100, initial_indent="      ", subsequent_indent="      "))
    if not schema.get("properties"):
        out.append("  (none)")
    return "\n".join(out)


async def invoke(name: str, inputs: dict[str, Any], *, trigger: bool, since: str | None, reset: bool) -> int:
    async with luma_session(persistent=True, reset=reset) as session:
        print(f"# {'trigger ' if trigger else ''}{name} against {session.target}", file=sys.stderr)
        if trigger:
            try:
                records = await session.poll(name, inputs, since)
            except Exception as error:  # noqa: BLE001 - a trigger's failure is shown, as the platform would see it
                print(json.dumps({"error": str(error)}, indent=2, ensure_ascii=False))
                return 1
            print(json.dumps(records, indent=2, ensure_ascii=False))
            return 0
        succeeded, payload = outcome(await session.run(name, inputs))
    print(json.dumps(payload if succeeded else {"error": payload}, indent=2, ensure_ascii=False))
    return 0 if succeeded else 1


async def reset_only() -> int:
    async with luma_session(persistent=True, reset=True) as session:
        print(f"reset: {session.target} holds the demo data again", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bin/invoke", description=__doc__, formatter_class=argparse.RawTextHelpFormatter, add_help=False
    )
    parser.add_argument("name", nargs="?", help="action (or, with --trigger, trigger) name, e.g. get_events")
    parser.add_argument("inputs", nargs="?", help="inputs as JSON, @file.json, or - for standard input")
    parser.add_argument("--list", action="store_true", help="list the actions and triggers and their inputs")
    parser.add_argument("--trigger", action="store_true", help="NAME is a polling trigger: run one poll")
    parser.add_argument("--since", help="with --trigger: the last poll's time (ISO 8601); omit for a first poll")
    parser.add_argument("--reset", action="store_true", help="start the embedded local Luma again from its demo data")
    parser.add_argument("-h", "--help", action="store_true", help="this help, or with NAME that action's inputs")
    args = parser.parse_args(argv)
    entries = luma.config.polling_triggers if args.trigger else luma.config.actions
    kind = "trigger" if args.trigger else "action"
    try:
        if args.help and not args.name:
            parser.print_help()
            return 0
        if args.list or (not args.name and not args.reset):
            print(summaries())
            return 0
        if not args.name:
            return asyncio.run(reset_only())
        if args.name not in entries:
            raise UsageError(f"unknown {kind} '{args.name}'; bin/invoke --list shows them")
        if args.help:
            print(help_for(args.name, entries[args.name]))
            return 0
        if args.since is not None and not args.trigger:
            raise UsageError("--since goes with --trigger")
        inputs = read_inputs(args.inputs)
        return asyncio.run(invoke(args.name, inputs, trigger=args.trigger, since=args.since, reset=args.reset))
    except (UsageError, StateFileError) as error:
        print(f"bin/invoke: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
