"""Membership tiers of the calendar and their members."""

from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult

from actions.shape import listing
from helpers import LumaClient
from luma import luma
from operations import memberships


@luma.action("list_membership_tiers")
class ListMembershipTiersAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        found = await memberships.list_tiers(
            LumaClient(context), limit=inputs.get("limit"), cursor=inputs.get("cursor")
        )
        return listing("membership_tiers", found, inputs.get("detail"), memberships.tier_summary)


@luma.action("add_member")
class AddMemberAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        membership = await memberships.add_member(
            LumaClient(context), inputs["email"], inputs["membership_tier_id"], skip_payment=inputs.get("skip_payment")
        )
        return ActionResult(data={"membership": membership})


@luma.action("update_member_status")
class UpdateMemberStatusAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        membership = await memberships.update_member_status(LumaClient(context), inputs["user_id"], inputs["status"])
        return ActionResult(data={"membership": membership})
