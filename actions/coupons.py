"""Discount codes of an event, and of the whole calendar."""

from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult

from actions.shape import listing
from helpers import LumaClient
from luma import luma
from operations import coupons


@luma.action("list_coupons")
class ListCouponsAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        found = await coupons.list_coupons(
            LumaClient(context), inputs["event_api_id"], limit=inputs.get("limit"), cursor=inputs.get("cursor")
        )
        return listing("coupons", found, inputs.get("detail"), coupons.coupon_summary)


@luma.action("create_coupon")
class CreateCouponAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        fields = {
            "code": inputs["code"],
            "percent_off": inputs.get("percent_off"),
            "cents_off": inputs.get("cents_off"),
            "amount_off": inputs.get("amount_off"),
            "currency": inputs.get("currency"),
            "remaining_count": inputs.get("remaining_count"),
            "valid_start_at": inputs.get("valid_start_at"),
            "valid_end_at": inputs.get("valid_end_at"),
            "event_ticket_type_id": inputs.get("event_ticket_type_id"),
        }
        return ActionResult(data=await coupons.create_coupon(LumaClient(context), inputs["event_api_id"], fields))


@luma.action("update_coupon")
class UpdateCouponAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        coupon = await coupons.update_coupon(
            LumaClient(context),
            inputs["event_api_id"],
            inputs["code"],
            remaining_count=inputs.get("remaining_count"),
            valid_start_at=inputs.get("valid_start_at"),
            valid_end_at=inputs.get("valid_end_at"),
        )
        return ActionResult(data={"coupon": coupon})


@luma.action("list_calendar_coupons")
class ListCalendarCouponsAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        found = await coupons.list_coupons(
            LumaClient(context), None, limit=inputs.get("limit"), cursor=inputs.get("cursor")
        )
        return listing("coupons", found, inputs.get("detail"), coupons.coupon_summary)


@luma.action("create_calendar_coupon")
class CreateCalendarCouponAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        fields = {
            "code": inputs["code"],
            "percent_off": inputs.get("percent_off"),
            "cents_off": inputs.get("cents_off"),
            "amount_off": inputs.get("amount_off"),
            "currency": inputs.get("currency"),
            "remaining_count": inputs.get("remaining_count"),
            "valid_start_at": inputs.get("valid_start_at"),
            "valid_end_at": inputs.get("valid_end_at"),
        }
        return ActionResult(data=await coupons.create_coupon(LumaClient(context), None, fields))


@luma.action("update_calendar_coupon")
class UpdateCalendarCouponAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        coupon = await coupons.update_coupon(
            LumaClient(context),
            None,
            inputs["code"],
            remaining_count=inputs.get("remaining_count"),
            valid_start_at=inputs.get("valid_start_at"),
            valid_end_at=inputs.get("valid_end_at"),
        )
        return ActionResult(data={"coupon": coupon})
