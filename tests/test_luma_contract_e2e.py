"""Contracts every action and polling trigger in config.json keeps, checked from its example alone: a new one is
covered without a test of its own. All of it runs through the SDK's real ExecutionContext over HTTP against the
local Luma.

* its example runs, and every request it makes is a route of Luma's contract (a trigger's: a first poll and a poll
  with a last poll's time, calling only the routes its source declares);
* whatever an agent sends a trigger, it answers records, a validation error or a trigger error, never a crash;
* whatever an agent sends, it answers: a result, an action error or a validation error, never a crash;
* a write whose answer is lost, refused by a 5xx, or accepted but unreadable is never sent twice, never
  duplicated on Luma, and reported as done or as not confirmed, never as failed;
* it calls only the Luma routes its source declares (luma_routes, the README's "Luma routes" column), the checks
  after a lost answer included.
"""

import json
from collections import Counter
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from autohive_integrations_sdk import ExecutionContext
from autohive_integrations_sdk.integration import IntegrationResult, ResultType, ValidationError

import helpers
from luma import luma
from luma_integration import TriggerError
from luma_local import FaultSpec, LumaEmulator
from luma_local.contract import CONTRACT_PATH
from tests.support.examples import example_inputs, luma_routes_of, seed
from tests.support.fakes import TEST_API_KEY, production_auth
from tests.support.live import census, work_then_answer

# One event loop for the module, so that one emulator serves every example run and input sweep.
pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

ACTIONS = sorted(luma.config.actions)
TRIGGERS = sorted(luma.config.polling_triggers)
CONTRACT_ROUTES = set(json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))["routes"])
# Whole sweeps of inputs run against one emulator: pacing is tested elsewhere.
ROOMY = {"rate_limit": 1_000_000, "invite_quota_per_week": 1_000_000}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_luma():
    # validate_responses: an emulator answer that drifts from Luma's contract fails the test as a 500.
    async with LumaEmulator(api_key=TEST_API_KEY, validate_responses=True, **ROOMY) as emulator:
        emulator.seed_demo()
        yield emulator


@pytest.fixture
def local_luma(shared_luma, monkeypatch):
    """The module's emulator, pointed at, without faults and with an empty request log."""
    monkeypatch.setenv(helpers.LUMA_API_BASE_ENV, shared_luma.base_url)
    monkeypatch.setenv(helpers.RATE_LIMIT_ENV, "1000000")
    shared_luma.clear_faults()
    shared_luma.requests.clear()
    return shared_luma


@asynccontextmanager
async def platform_context():
    async with ExecutionContext(auth=production_auth()) as context:
        yield context


def said(result: IntegrationResult) -> Any:
    return getattr(result.result, "message", result.result)


# ---- every example runs -------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
async def test_the_example_runs_against_luma(local_luma, action):
    inputs = example_inputs(action, local_luma)
    async with platform_context() as context:
        result = await luma.execute_action(action, inputs, context)
    assert result.type == ResultType.ACTION, f"{action} with its example {inputs!r}: {said(result)}"
    sent = [f"{request.method} {request.path}" for request in local_luma.requests]
    assert sent, f"{action}'s example sent nothing to Luma"
    assert set(sent) <= CONTRACT_ROUTES, f"{action} called routes Luma does not have: {set(sent) - CONTRACT_ROUTES}"


@pytest.mark.parametrize("trigger", TRIGGERS)
async def test_the_example_of_a_trigger_runs_against_luma(local_luma, trigger):
    inputs = example_inputs(trigger, local_luma)
    async with platform_context() as context:
        for last_poll_ts in (None, "2020-01-01T00:00:00Z"):
            records = await luma.execute_polling_trigger(trigger, inputs, last_poll_ts, context)
            assert isinstance(records, list), f"{trigger} with its example {inputs!r} answered {records!r}"
            assert all(isinstance(record["id"], str) and record["id"] for record in records), records
            ids = [record["id"] for record in records]
            assert len(ids) == len(set(ids)), f"{trigger} reported a change twice in one poll"
    sent = {f"{request.method} {request.path}" for request in local_luma.requests}
    assert sent, f"{trigger}'s example sent nothing to Luma"
    assert sent <= CONTRACT_ROUTES, f"{trigger} called routes Luma does not have: {sent - CONTRACT_ROUTES}"
    undeclared = sent - luma_routes_of(trigger)
    assert not undeclared, f"{trigger} calls {sorted(undeclared)}: add them to luma_routes in its source"


# ---- no input crashes an action -----------------------------------------------------------------------------

ODD_VALUES = [
    None,
    "",
    "   ",
    0,
    -1,
    10**15,
    1.5,
    True,
    [],
    {},
    ["a@b.co", None],
    [{"email": "ok@example.com"}, {"name": "no email"}],
    "😀" * 400,
    "evt-../../v1/users/get-self?x=1&event_id=",
    "2026-02-30T25:61:00",
    "Ünïcödé Nàmé <script>",
]


def variants(action: str, base: dict) -> list[dict]:
    """The valid inputs, none, an unknown input, then each property replaced by every odd value, then left out."""
    properties = luma.config.actions[action].input_schema.get("properties", {})
    out = [dict(base), {}, {**base, "unexpected_field": "x"}]
    for name in properties:
        for value in ODD_VALUES:
            out.append({**base, name: value})
        out.append({key: value for key, value in base.items() if key != name})
    return out


@pytest.mark.parametrize("action", ACTIONS)
async def test_no_input_crashes_an_action(local_luma, action):
    base = example_inputs(action, local_luma)
    seen = {ResultType.ACTION: 0, ResultType.ACTION_ERROR: 0, ResultType.VALIDATION_ERROR: 0}
    async with platform_context() as context:
        for inputs in variants(action, base):
            result = await luma.execute_action(action, inputs, context)
            assert result.type in seen, f"{action} {inputs!r}: {result.type}"
            seen[result.type] += 1
            text = json.dumps(result.result if isinstance(result.result, dict) else result.result.__dict__)
            assert TEST_API_KEY not in text
            if result.type == ResultType.VALIDATION_ERROR:
                assert result.result["source"] == "input", f"{action} {inputs!r}: {result.result['message']}"
            if result.type == ResultType.ACTION_ERROR:
                message = result.result.message
                assert "unexpected error" not in message, f"{action} {inputs!r}: a bug surfaced: {message}"
                assert len(message) > 20, f"{action} {inputs!r}: unclear error {message!r}"
    assert seen[ResultType.ACTION] >= 1, f"{action}: the valid inputs should succeed"
    assert seen[ResultType.VALIDATION_ERROR] + seen[ResultType.ACTION_ERROR] >= 1 or action == "get_self"


@pytest.mark.parametrize("trigger", TRIGGERS)
async def test_no_input_crashes_a_trigger(local_luma, trigger):
    base = example_inputs(trigger, local_luma)
    properties = luma.config.polling_triggers[trigger].input_schema.get("properties", {})
    variants = [dict(base), {}, {**base, "unexpected_field": "x"}]
    variants += [{**base, name: value} for name in properties for value in ODD_VALUES]
    answered = Counter()
    async with platform_context() as context:
        for inputs in variants:
            for last_poll_ts in (None, "not a time", "2026-02-30T25:61:00Z"):
                try:
                    await luma.execute_polling_trigger(trigger, inputs, last_poll_ts, context)
                    answered["records"] += 1
                except ValidationError as error:
                    assert error.source == "input", f"{trigger} {inputs!r}: {error}"
                    answered["invalid"] += 1
                except TriggerError as error:
                    message = str(error)
                    assert "unexpected error" not in message, f"{trigger} {inputs!r}: a bug surfaced: {message}"
                    assert TEST_API_KEY not in message
                    answered["error"] += 1
    assert answered["records"] >= 1 and answered["invalid"] + answered["error"] >= 1, answered


# ---- a write is never duplicated ----------------------------------------------------------------------------


def lost_answer(emulator, monkeypatch, context, route):
    """Luma applies the write, and its answer is lost on the way back."""
    return emulator.inject(f"POST {route}", drop_after_work=True)


def server_error(emulator, monkeypatch, context, route):
    """Luma answers 503 before doing anything; the client cannot tell that from a lost answer."""
    return emulator.inject(f"POST {route}", status=503)


def accepted_unreadable(emulator, monkeypatch, context, route):
    """Luma applies the write and answers 200 with an HTML page instead of JSON."""
    work_then_answer(monkeypatch, emulator, context, route)
    return emulator.inject(f"POST {route}", status=200, body="<html>ok</html>", content_type="text/html")


# A fault: (emulator, monkeypatch, context, route) -> the fault programmed, whose hits show it fired.
Fault = Callable[[LumaEmulator, Any, Any, str], FaultSpec]
# Faults after which Luma did apply the write: a check of Luma's state must find it, so the action succeeds.
APPLIED: dict[str, Fault] = {"lost_answer": lost_answer, "accepted_unreadable": accepted_unreadable}
FAULTS: dict[str, Fault] = {**APPLIED, "server_error": server_error}

# Writes that cannot be confirmed once applied, by design, with the reason: an action ("update_host"), or one write of
# an action ("cancel_event POST /v1/events/cancel/request"). Keep this small: every entry is a write an agent will be
# told "not confirmed" about although it landed.
CANNOT_CONFIRM: dict[str, str] = {
    "update_host": "Luma shows an event's hosts without their access level or visibility, the only things it sets",
    "cancel_event POST /v1/events/cancel/request": (
        "the token exists only in the lost answer, so nothing can be cancelled with it, and asking for another is a "
        "second request; the error says nothing was cancelled"
    ),
    "create_image_upload_url": "the upload URL exists only in Luma's answer; the error says to ask for another",
}


@dataclass
class ExampleRun:
    result: IntegrationResult
    posts: list[tuple[str, str]]  # (route, body as sent) of every POST, in order
    effect: dict[str, int]  # objects added to the emulator, by kind
    sent: set[str]  # every route called, "GET /v1/events/get"
    fault_hits: int = 0


async def run_example(action: str, monkeypatch: Any, fault: Fault | None = None, route: str = "") -> ExampleRun:
    """The action's example on a fresh emulator: counts must start from a known state, and two identical creates
    within seconds are ambiguous by design (the check cannot tell which is this run's)."""
    async with LumaEmulator(api_key=TEST_API_KEY, validate_responses=True) as emulator:
        monkeypatch.setenv(helpers.LUMA_API_BASE_ENV, emulator.base_url)
        inputs = example_inputs(action, emulator, seed(emulator))
        before = census(emulator)
        async with platform_context() as context:
            injected = fault(emulator, monkeypatch, context, route) if fault else None
            result = await luma.execute_action(action, inputs, context)
        after = census(emulator)
        posts = [(r.path, json.dumps(r.json, sort_keys=True)) for r in emulator.requests if r.method == "POST"]
        effect = {kind: after[kind] - before[kind] for kind in after | before}
        sent = {f"{r.method} {r.path}" for r in emulator.requests}
        return ExampleRun(result, posts, effect, sent, injected.hits if injected else 0)


def write_outcome(action: str, fault: str, result: IntegrationResult) -> str:
    """Whether the write was reported "confirmed" or "unconfirmed"; anything else (a crash, another error, an item
    reported failed) fails the test."""
    where = f"{action} under {fault}"
    assert result.type in (ResultType.ACTION, ResultType.ACTION_ERROR), f"{where}: {result.type} {said(result)}"
    if result.type == ResultType.ACTION_ERROR:
        message = result.result.message
        assert "unexpected error" not in message, f"{where}: a bug surfaced: {message}"
        assert "not confirmed" in message, f"{where}: a write that may have landed must say so: {message}"
        return "unconfirmed"
    statuses = [item.get("status") for item in result.result.data.get("results", [])]
    # "failed" invites a retry, and a retry of a write that landed is a duplicate.
    assert "failed" not in statuses, f"{where}: items reported failed: {result.result.data['results']}"
    return "unconfirmed" if "unconfirmed" in statuses else "confirmed"


@pytest.fixture
def quick_settle(monkeypatch):
    # The emulator applies a write at once: the second look after a short settle sees nothing new.
    monkeypatch.setattr(helpers, "SETTLE_SECONDS", 0.01)


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("action", ACTIONS)
async def test_a_write_is_never_duplicated(action, fault, monkeypatch, quick_settle):
    clean = await run_example(action, monkeypatch)
    assert clean.result.type == ResultType.ACTION, f"{action}'s example fails without a fault: {said(clean.result)}"
    routes = sorted({route for route, _ in clean.posts})
    if not routes:
        pytest.skip(f"{action} writes nothing: its example sends no POST")
    for route in routes:
        faulted = await run_example(action, monkeypatch, FAULTS[fault], route)
        where = f"{action} with {fault} on POST {route}"
        assert faulted.fault_hits == 1, f"{where}: the fault never fired"
        sent = [body for path, body in faulted.posts if path == route]
        normally = sum(1 for path, _ in clean.posts if path == route)
        assert len(sent) <= normally, f"{where}: {len(sent)} POSTs where the example alone sends {normally}"
        assert len(set(sent)) == len(sent), f"{where}: the same write was sent again"
        outcome = write_outcome(action, fault, faulted.result)
        if fault in APPLIED and not {action, f"{action} POST {route}"} & set(CANNOT_CONFIRM):
            assert outcome == "confirmed", f"{where}: Luma applied it, yet it was reported {outcome}"
        # A delete's example removes objects (a negative effect): when its write is refused, removing none is no
        # duplicate; what is never allowed is more objects than the example alone leaves, or than there were.
        extra = {kind: n for kind, n in faulted.effect.items() if n > max(clean.effect.get(kind, 0), 0)}
        assert not extra, f"{where}: more objects than the example makes ({clean.effect}): {extra}"
        removed = {kind: n for kind, n in faulted.effect.items() if n < min(clean.effect.get(kind, 0), 0)}
        assert not removed, f"{where}: more objects removed than the example removes ({clean.effect}): {removed}"


# ---- an action calls only the routes it declares ------------------------------------------------------------


# Production bugs: the action calls a route its luma_routes leave out, so the README's table under-reports it.
# Each test fails until schemas/actions/<name>.json lists the route (then strict xfail fails: remove the entry).
@pytest.mark.parametrize("action", ACTIONS)
async def test_an_action_calls_only_the_luma_routes_it_declares(action, monkeypatch, quick_settle):
    clean = await run_example(action, monkeypatch)
    runs = [clean] + [
        await run_example(action, monkeypatch, lost_answer, route) for route in sorted({r for r, _ in clean.posts})
    ]
    undeclared = set().union(*(run.sent for run in runs)) - luma_routes_of(action)
    assert not undeclared, (
        f"{action} calls {sorted(undeclared)}: add them to luma_routes in schemas/actions/{action}.json"
    )
