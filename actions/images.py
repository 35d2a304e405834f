"""Image uploads to Luma's CDN, for event covers and calendar avatars."""

from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult

from helpers import LumaClient
from luma import luma
from operations import images


@luma.action("create_image_upload_url")
class CreateImageUploadUrlAction(ActionHandler):
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        created = await images.create_upload_url(LumaClient(context), inputs.get("content_type"))
        return ActionResult(data=created)
