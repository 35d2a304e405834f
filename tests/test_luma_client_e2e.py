"""The client end to end: the SDK's real ExecutionContext over HTTP against the local Luma."""

import time

import pytest
from autohive_integrations_sdk import ExecutionContext
from autohive_integrations_sdk.integration import ResultType

import helpers
from luma import luma
from luma_local import LumaEmulator
from tests.support.fakes import TEST_API_KEY, production_auth

pytestmark = pytest.mark.e2e

GET_SELF = "/v1/users/get-self"


@pytest.fixture
def fast_retries(monkeypatch):
    monkeypatch.setattr(helpers, "BACKOFF_BASE_SECONDS", 0.01)


class TestFailuresOverHttp:
    async def test_server_errors_are_retried_for_reads(self, luma_emulator, live_context, fast_retries):
        luma_emulator.inject(GET_SELF, status=503, times=2)
        result = await luma.execute_action("get_self", {}, live_context)
        assert result.type == ResultType.ACTION
        assert len(luma_emulator.requests_to(GET_SELF)) == 3

    async def test_lost_answer_to_a_read_is_retried_once_by_us(self, luma_emulator, live_context, fast_retries):
        luma_emulator.inject(GET_SELF, drop_after_work=True, times=1)
        result = await luma.execute_action("get_self", {}, live_context)
        assert result.type == ResultType.ACTION
        # The SDK's own retries are off: one drop costs exactly one more request.
        assert len(luma_emulator.requests_to(GET_SELF)) == 2

    async def test_html_gateway_error(self, luma_emulator, live_context, fast_retries):
        page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
        luma_emulator.inject(GET_SELF, status=502, body=page, content_type="text/html", times=None)
        result = await luma.execute_action("get_self", {}, live_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "server error (502)" in result.result.message and "Bad Gateway" in result.result.message
        assert len(luma_emulator.requests_to(GET_SELF)) == helpers.GET_ATTEMPTS

    async def test_html_instead_of_json(self, luma_emulator, live_context):
        luma_emulator.inject(GET_SELF, status=200, body="<html>Maintenance</html>", content_type="text/html")
        result = await luma.execute_action("get_self", {}, live_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "something other than JSON" in result.result.message

    async def test_hanging_luma_answers_inside_the_budget(self, luma_emulator, live_context, monkeypatch):
        monkeypatch.setattr(helpers, "REQUEST_TIMEOUT_SECONDS", 0.3)
        monkeypatch.setattr(helpers, "BACKOFF_BASE_SECONDS", 0.01)
        luma_emulator.inject(GET_SELF, hang=True, times=None)
        started = time.monotonic()
        result = await luma.execute_action("get_self", {}, live_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "did not answer" in result.result.message
        assert time.monotonic() - started < 3
        assert len(luma_emulator.requests_to(GET_SELF)) == helpers.GET_ATTEMPTS


class TestRateLimitOverHttp:
    async def test_retry_after_is_honoured(self, luma_emulator, live_context):
        luma_emulator.inject(GET_SELF, status=429, retry_after=1, times=1)
        started = time.monotonic()
        result = await luma.execute_action("get_self", {}, live_context)
        assert result.type == ResultType.ACTION
        assert time.monotonic() - started >= 1
        assert len(luma_emulator.requests_to(GET_SELF)) == 2

    async def test_lockout_past_the_budget_says_when_to_retry(self, luma_emulator, live_context):
        luma_emulator.inject(GET_SELF, status=429, retry_after=120, times=1)
        result = await luma.execute_action("get_self", {}, live_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "Retry in 120 seconds" in result.result.message
        assert len(luma_emulator.requests_to(GET_SELF)) == 1

    async def test_never_exceeds_the_limit_luma_announces(self, monkeypatch):
        async with LumaEmulator(api_key=TEST_API_KEY, rate_limit=5, rate_window=60, lockout=60) as emulator:
            monkeypatch.setenv(helpers.LUMA_API_BASE_ENV, emulator.base_url)
            async with ExecutionContext(auth=production_auth()) as context:
                results = [await luma.execute_action("get_self", {}, context) for _ in range(7)]
        assert [r.type for r in results[:5]] == [ResultType.ACTION] * 5
        for refused in results[5:]:
            assert refused.type == ResultType.ACTION_ERROR
            assert "stay under Luma's rate limit" in refused.result.message
            assert "Retry in" in refused.result.message
        # The 6th and 7th were held back by the client: Luma never saw more than its limit, so no lockout.
        assert len(emulator.requests_to(GET_SELF)) == 5
