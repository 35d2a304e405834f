"""Events, ticket types and coupons; also the key's own user (get_self) and the connected account."""

from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult, ConnectedAccountHandler, ConnectedAccountInfo

from helpers import LumaClient, luma_action
from luma import luma


@luma.action("get_self")
class GetSelfAction(ActionHandler):
    @luma_action
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        user = await LumaClient(context).get("/v1/users/get-self")
        return ActionResult(data={"user": user})


@luma.connected_account()
class LumaConnectedAccountHandler(ConnectedAccountHandler):
    async def get_account_info(self, context: Any) -> ConnectedAccountInfo:
        user = await LumaClient(context).get("/v1/users/get-self")
        return ConnectedAccountInfo(
            email=user.get("email"),
            first_name=user.get("first_name"),
            last_name=user.get("last_name"),
            username=user.get("name"),
            user_id=user.get("id"),
            avatar_url=user.get("avatar_url"),
        )
