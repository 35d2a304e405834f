"""Image upload URLs: Luma wants event and markdown images on its CDN, uploaded through a signed URL."""

from __future__ import annotations

import secrets

from ..state import CDN
from .base import Ctx, RouteTable, routes_of


ROUTES: RouteTable = {}
route = routes_of(ROUTES)


@route("POST", "/v1/images/create-upload-url")
def create_upload_url(ctx: Ctx) -> dict:
    ext = "png" if ctx.body.get("content_type") == "image/png" else "jpg"
    name = secrets.token_hex(12)
    return {
        "upload_url": f"https://upload.lumacdn.com/uploads/{name}.{ext}?signature={secrets.token_hex(16)}",
        "file_url": f"{CDN}/uploads/{name}.{ext}",
    }


CALENDAR_FREE = frozenset(ROUTES)  # the same whichever calendar a call names
