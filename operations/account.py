"""The API key's own user."""

from typing import Any

import routes
from helpers import LumaClient


async def get_self(client: LumaClient) -> dict[str, Any]:
    return await client.get_object(routes.USERS_GET_SELF)
