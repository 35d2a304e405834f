"""luma_local: a contract-faithful, stateful local stand-in for Luma's public API (like stripe-mock).

Usage::

    async with LumaEmulator(api_key="luma-local-key") as emu:   # or: url = await emu.start()
        emu.seed_demo()                                           # or seed_events / seed_guests / seed_contacts
        emu.inject("POST /v1/events/guests/add", status=503, times=2)
        ...  # point the client at emu.base_url, header x-luma-api-key
        emu.requests, emu.events(), emu.guests(event_id), emu.state

From sync code: ``url = emu.start_in_thread()`` ... ``emu.stop_thread()``.
From a shell: ``python -m luma_local --port 0 --seed demo``.
"""

from .seed import person, seed_contacts, seed_demo, seed_events, seed_guests
from .server import DEFAULT_API_KEY, ApiError, EmulatorState, FaultSpec, LumaEmulator, RecordedRequest

__all__ = [
    "DEFAULT_API_KEY",
    "ApiError",
    "EmulatorState",
    "FaultSpec",
    "LumaEmulator",
    "RecordedRequest",
    "person",
    "seed_contacts",
    "seed_demo",
    "seed_events",
    "seed_guests",
]
