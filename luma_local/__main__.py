"""``python -m luma_local --port 0 --seed demo [--state FILE]``: serve the emulator until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from pathlib import Path

from .server import DEFAULT_API_KEY, LumaEmulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m luma_local", description="Local Luma API emulator")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--org-api-key", default=None, help="also accept this organization key")
    parser.add_argument("--seed", choices=["none", "demo"], default="none", help="sample data for a new state")
    parser.add_argument(
        "--state",
        type=Path,
        metavar="FILE",
        help="keep the state in FILE across restarts: loaded when it exists, saved after each write and on exit",
    )
    parser.add_argument("--rate-limit", type=int, default=200, help="requests per window per key")
    parser.add_argument("--rate-window", type=float, default=60.0)
    parser.add_argument("--lockout", type=float, default=60.0)
    parser.add_argument("--max-page-size", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.0, help="round trip added to every request, in seconds")
    parser.add_argument("--latency-jitter", type=float, default=0.0, help="up to this many seconds more per request")
    parser.add_argument("--lax", action="store_true", help="ignore unknown query params and body fields")
    return parser.parse_args(argv)


def build(args: argparse.Namespace) -> LumaEmulator:
    """The emulator the options describe; a state file that exists already is used as it is, never re-seeded."""
    resumed = args.state is not None and args.state.exists()
    emu = LumaEmulator(
        args.api_key,
        rate_limit=args.rate_limit,
        rate_window=args.rate_window,
        lockout=args.lockout,
        max_page_size=args.max_page_size,
        strict=not args.lax,
        org_api_key=args.org_api_key,
        state_file=args.state,
        latency=args.latency,
        latency_jitter=args.latency_jitter,
    )
    if args.seed == "demo" and not resumed:
        emu.seed_demo()
        if args.state is not None:
            emu.save_state(args.state)
    return emu


async def serve(args: argparse.Namespace) -> None:
    emu = build(args)
    url = await emu.start(args.host, args.port)
    print(f"Luma emulator listening on {url}", flush=True)
    print(f"API key: {emu.api_key}", flush=True)
    if args.state is not None:
        print(f"State: {args.state} ({len(emu.state.events)} events)", flush=True)
    print(f"export LUMA_API_BASE_URL={url}", flush=True)
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # explicit handlers: a backgrounded process inherits SIGINT as ignored, and TERM should clean up too
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, done.set)
    try:
        await done.wait()
    finally:
        await emu.stop()


def main(argv: list[str] | None = None) -> None:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
