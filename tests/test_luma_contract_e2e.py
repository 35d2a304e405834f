"""Contracts every action in config.json keeps, checked from its example alone: a new action is covered without a
test of its own. All of it runs through the SDK's real ExecutionContext over HTTP against the local Luma.

* its example runs, and every request it makes is a route of Luma's contract;
* whatever an agent sends, it answers: a result, an action error or a validation error, never a crash.
"""

import json
from contextlib import asynccontextmanager
from typing import Any

import pytest
import pytest_asyncio
from autohive_integrations_sdk import ExecutionContext
from autohive_integrations_sdk.integration import IntegrationResult, ResultType

import helpers
from luma import luma
from luma_local import LumaEmulator
from luma_local.contract import CONTRACT_PATH
from tests.support.examples import example_inputs
from tests.support.fakes import TEST_API_KEY, production_auth

# One event loop for the module, so that one emulator serves every example run and input sweep.
pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

ACTIONS = sorted(luma.config.actions)
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
