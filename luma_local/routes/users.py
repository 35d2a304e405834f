"""The key's user (``/v1/users/get-self``) and the email check shared by every route that takes emails."""

from __future__ import annotations

import re

from ..errors import bad_request
from .base import Ctx, RouteTable, routes_of

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


ROUTES: RouteTable = {}
route = routes_of(ROUTES)


def check_email(email: str, where: str) -> None:
    if not EMAIL_RE.match(email.strip()):
        raise bad_request(f"Invalid {where}: {email!r} is not a valid email address")


@route("GET", "/v1/users/get-self")
def get_self(ctx: Ctx) -> dict:
    return dict(ctx.state.user)


CALENDAR_FREE = frozenset(ROUTES)  # the same whichever calendar a call names
