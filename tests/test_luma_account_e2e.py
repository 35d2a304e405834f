"""The key's own user end to end: get_self and the connected account, over HTTP against the local Luma."""

import pytest
from autohive_integrations_sdk import ExecutionContext
from autohive_integrations_sdk.integration import ResultType

from luma import luma
from tests.support.fakes import TEST_API_KEY, production_auth

pytestmark = pytest.mark.e2e

GET_SELF = "/v1/users/get-self"


class TestGetSelf:
    async def test_returns_the_key_owner(self, luma_emulator, live_context):
        result = await luma.execute_action("get_self", {}, live_context)
        assert result.type == ResultType.ACTION
        user = result.result.data["user"]
        assert user["id"].startswith("usr-")
        assert user["email"] == luma_emulator.state.user["email"]
        request = luma_emulator.requests_to(GET_SELF)[0]
        assert request.header("x-luma-api-key") == TEST_API_KEY

    async def test_wrong_key_is_a_clear_error_without_the_key(self, luma_emulator):
        async with ExecutionContext(auth=production_auth("wrong-key-123")) as context:
            result = await luma.execute_action("get_self", {}, context)
        assert result.type == ResultType.ACTION_ERROR
        assert "rejected the API key (401)" in result.result.message
        assert "wrong-key-123" not in result.result.message


class TestConnectedAccount:
    async def test_connected_account(self, luma_emulator, live_context):
        result = await luma.get_connected_account(live_context)
        assert result.result.email == luma_emulator.state.user["email"]
        assert result.result.user_id.startswith("usr-")
