"""The key's own user (get_self) and the connected account Autohive shows."""

from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult, ConnectedAccountHandler, ConnectedAccountInfo

from helpers import LumaClient
from luma import luma
from operations import account


@luma.action("get_self")
class GetSelfAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        return ActionResult(data={"user": await account.get_self(LumaClient(context))})


@luma.connected_account()
class LumaConnectedAccountHandler(ConnectedAccountHandler):
    async def get_account_info(self, context: Any) -> ConnectedAccountInfo:
        user = await account.get_self(LumaClient(context))
        return ConnectedAccountInfo(
            email=user.get("email"),
            first_name=user.get("first_name"),
            last_name=user.get("last_name"),
            username=user.get("name"),
            user_id=user.get("id"),
            avatar_url=user.get("avatar_url"),
        )
