"""Shared fixtures: the integration root on sys.path, Autohive-style mocked contexts, pinned time, and the local Luma.
Shared helpers (fakes, sample objects, examples) live in tests/support/."""

import os
import sys
from unittest.mock import AsyncMock, MagicMock

import pytest

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

import helpers  # noqa: E402
from tests.support.fakes import TEST_API_KEY, FakeClock, production_auth  # noqa: E402
from tests.support.samples import NOW  # noqa: E402


@pytest.fixture(autouse=True)
def fresh_rate_limiters(monkeypatch):
    """Pacing state is per process; each test starts with an unused key budget and the default base URL."""
    helpers.reset_rate_limiters()
    monkeypatch.delenv(helpers.LUMA_API_BASE_ENV, raising=False)
    monkeypatch.delenv(helpers.RATE_LIMIT_ENV, raising=False)
    monkeypatch.delenv("LUMA_CALENDAR_ID", raising=False)  # bin/invoke's organization-key calendar
    yield
    helpers.reset_rate_limiters()


def mocked_context(auth=None):
    """A mocked ExecutionContext with production-shaped auth (or `auth`); `fetch` is an AsyncMock."""
    ctx = MagicMock(name="ExecutionContext")
    ctx.fetch = AsyncMock(name="fetch")
    ctx.auth = auth if auth is not None else production_auth()
    ctx.config = {"max_retries": 3, "timeout": 30}
    return ctx


@pytest.fixture
def mock_context():
    return mocked_context()


@pytest.fixture
def make_context():
    """Makes mocked contexts with the given auth."""
    return mocked_context


@pytest.fixture
def no_sleep(monkeypatch):
    """Patches the client's sleep; the AsyncMock records every wait it would have made."""
    sleep = AsyncMock(name="sleep")
    monkeypatch.setattr(helpers, "_sleep", sleep)
    return sleep


@pytest.fixture
def one_batch_at_a_time(monkeypatch):
    """add_guests / send_invites send their batches one after another, so a stop reliably finds later batches not
    yet started. With the real bound every batch of one call starts at once; the rule still applies to batches
    waiting for a worker (when the rate window has few slots left)."""
    from operations import guests

    monkeypatch.setattr(guests.GuestBatches, "in_flight", 1)


@pytest.fixture
def clock(monkeypatch):
    """Monotonic time that moves only when the client sleeps; `clock.sleeps` lists the waits."""
    return FakeClock(monkeypatch)


@pytest.fixture
def fixed_now(monkeypatch):
    """The client's wall clock pinned to samples.NOW, so sample objects are older or newer than a request as meant."""
    monkeypatch.setattr(helpers, "_utc_now", lambda: NOW)


@pytest.fixture
async def luma_emulator(monkeypatch):
    """The local Luma over real HTTP on 127.0.0.1; the integration reaches it through LUMA_API_BASE_URL."""
    from luma_local import LumaEmulator

    # validate_responses: an emulator answer that drifts from Luma's contract fails the test as a 500.
    async with LumaEmulator(api_key=TEST_API_KEY, validate_responses=True) as emulator:
        monkeypatch.setenv(helpers.LUMA_API_BASE_ENV, emulator.base_url)
        yield emulator


@pytest.fixture
def event(luma_emulator):
    """One upcoming event seeded in the local Luma (2 hours long, Pacific/Auckland)."""
    return luma_emulator.seed_events(1)[0]


@pytest.fixture
def event_id(event):
    return event["id"]


@pytest.fixture
async def live_context(luma_emulator, monkeypatch):
    """The SDK's real ExecutionContext, production auth, talking to the emulator. The settle delay before a write's
    second check is shortened: the emulator applies writes at once (apply_late-style tests use less than this)."""
    monkeypatch.setattr(helpers, "SETTLE_SECONDS", 0.5)
    from autohive_integrations_sdk import ExecutionContext

    async with ExecutionContext(auth=production_auth()) as context:
        yield context


@pytest.fixture
async def emu():
    """The local Luma with its default key, checking its own answers against the contract (tests of luma_local)."""
    from luma_local import LumaEmulator

    async with LumaEmulator(validate_responses=True) as server:
        yield server


@pytest.fixture
async def client(emu):
    """An HTTP session on ``emu`` that sends its key."""
    import aiohttp

    async with aiohttp.ClientSession(emu.base_url, headers={"x-luma-api-key": emu.api_key}) as session:
        yield session
