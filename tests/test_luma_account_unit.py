"""The key's own user: get_self and the connected account Autohive shows, with a mocked context.fetch."""

import pytest
from autohive_integrations_sdk.integration import ResultType

from luma import luma
from tests.support.fakes import luma_error, ok, sent_url
from tests.support.samples import USER

pytestmark = pytest.mark.unit


class TestGetSelf:
    async def test_returns_the_user(self, mock_context):
        mock_context.fetch.return_value = ok(USER)
        result = await luma.execute_action("get_self", {}, mock_context)
        assert result.type == ResultType.ACTION
        assert result.result.data == {"user": USER}
        assert sent_url(mock_context.fetch.call_args).endswith("/v1/users/get-self")

    async def test_rejected_key(self, mock_context):
        mock_context.fetch.side_effect = luma_error(401, "Invalid API key")
        result = await luma.execute_action("get_self", {}, mock_context)
        assert result.type == ResultType.ACTION_ERROR
        assert "rejected the API key (401)" in result.result.message
        assert "Settings → Developer → API Keys" in result.result.message

    async def test_unknown_input_is_refused(self, mock_context):
        result = await luma.execute_action("get_self", {"surprise": 1}, mock_context)
        assert result.type == ResultType.VALIDATION_ERROR
        mock_context.fetch.assert_not_called()


class TestConnectedAccount:
    async def test_account_info(self, mock_context):
        mock_context.fetch.return_value = ok(USER)
        result = await luma.get_connected_account(mock_context)
        info = result.result
        assert (info.email, info.first_name, info.last_name) == ("ada@example.com", "Ada", "Lovelace")
        assert (info.user_id, info.username, info.avatar_url) == ("usr-abc123", "Ada Lovelace", USER["avatar_url"])
