"""The local Luma in a process of its own, for bin/bench: the client's time and memory are measured without the
server's share, and several baselines can each have a Luma (and a rate-limit window) to themselves.

    remote = RemoteEmulator(latency=0.15)        # starts the process; remote.base_url serves the API
    remote.run(seed_something, 100)              # seed_something(emulator, 100) runs there, on its event loop
    remote.close()

Functions given to `run` must be importable module-level functions (they are sent by name); their arguments and
results travel by pickle. They run between requests, on the emulator's own event loop, so they never race one.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from luma_local import LumaEmulator

START_SECONDS = 30.0


class RemoteError(RuntimeError):
    """A function run in the emulator's process raised."""


class RemoteEmulator:
    def __init__(self, **options: Any):
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, options), name="bench-luma", daemon=True)
        self._process.start()
        child.close()
        if not self._conn.poll(START_SECONDS):
            self._process.kill()
            raise RemoteError("the local Luma's process did not start")
        self.base_url: str = self._conn.recv()

    def __getattr__(self, name: str) -> Callable[..., Any]:
        """The emulator's own methods, run there: remote.register_guest(event_id, email, name)."""
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.run(call_method, name, *args, **kwargs)

    def run(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        self._conn.send((function, args, kwargs))
        succeeded, value = self._conn.recv()
        if not succeeded:
            raise RemoteError(value)
        return value

    def close(self) -> None:
        if self._process.is_alive():
            try:
                self._conn.send(None)
            except (BrokenPipeError, OSError):
                pass
            self._process.join(5)
            if self._process.is_alive():
                self._process.kill()
        self._conn.close()

    def __enter__(self) -> RemoteEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _serve(conn: Connection, options: dict[str, Any]) -> None:
    asyncio.run(_serve_async(conn, options))


async def _serve_async(conn: Connection, options: dict[str, Any]) -> None:
    emulator = LumaEmulator(**options)
    conn.send(await emulator.start())
    loop = asyncio.get_running_loop()
    try:
        while True:
            try:
                message = await loop.run_in_executor(None, conn.recv)
            except EOFError:  # the bench went away
                return
            if message is None:
                return
            function, args, kwargs = message
            try:
                reply = (True, function(emulator, *args, **kwargs))
            except Exception as error:  # reported to the caller, which raises it there
                reply = (False, f"{getattr(function, '__name__', function)}: {type(error).__name__}: {error}")
            conn.send(reply)
    finally:
        await emulator.stop()


# ---- functions to run there --------------------------------------------------------------------------------


def call_method(emulator: LumaEmulator, name: str, *args: Any, **kwargs: Any) -> Any:
    return getattr(emulator, name)(*args, **kwargs)


def request_count(emulator: LumaEmulator) -> int:
    return len(emulator.requests)


def request_log(emulator: LumaEmulator, start: int = 0) -> list[tuple[str, str, int | None, float | None]]:
    """(method, path, status, arrival time) of each request from the start-th on."""
    return [(r.method, r.path, r.status, r.at) for r in emulator.requests[start:]]


def set_latency(emulator: LumaEmulator, latency: float, jitter: float = 0.0) -> None:
    emulator.latency, emulator.latency_jitter = latency, jitter


def reset_rate_limit(emulator: LumaEmulator) -> None:
    emulator.reset_rate_limit()


def set_rate_limit(emulator: LumaEmulator, limit: int) -> None:
    emulator.rate_limiter.limit = limit
