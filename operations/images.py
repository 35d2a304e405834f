"""Image uploads: Luma takes event covers and calendar avatars only from its own CDN, through a signed upload URL."""

from typing import Any

import routes
from helpers import LumaClient, LumaResponseError, LumaUnconfirmedWriteError


async def create_upload_url(client: LumaClient, content_type: str) -> dict[str, Any]:
    """{upload_url, file_url, content_type}: PUT the bytes to upload_url with that Content-Type, then use file_url."""
    try:
        # Nothing to confirm after a lost answer: the URLs exist only in Luma's answer, and asking for another
        # changes nothing on Luma (an upload URL no one PUTs to is simply never used), so the caller just asks again.
        answer = await client.post(routes.IMAGES_CREATE_UPLOAD_URL, {"content_type": content_type})
    except LumaUnconfirmedWriteError as error:
        raise LumaUnconfirmedWriteError(
            "The upload URL was not confirmed: Luma's answer was lost or unusable, so no URL arrived. Asking for one "
            "changes nothing on Luma, so simply run create_image_upload_url again.",
            status=error.status,
            luma_message=error.luma_message,
        ) from None
    upload_url, file_url = answer.get("upload_url"), answer.get("file_url")
    if not (isinstance(upload_url, str) and upload_url and isinstance(file_url, str) and file_url):
        raise LumaResponseError(
            f"POST {routes.IMAGES_CREATE_UPLOAD_URL}: Luma's answer had no upload_url and file_url. Changes nothing "
            "on Luma: run create_image_upload_url again."
        )
    return {"upload_url": upload_url, "file_url": file_url, "content_type": content_type}
