"""Fakes for unit tests with a mocked `context.fetch`, and the assertions every test makes about a result.

* Luma's answers: `ok`, `page`, `listed` (FetchResponses), `lost`, `unavailable`, `luma_error` (failures to raise).
* What was sent: `request`/`requests` as (method, path, query pairs, json body), `methods`, `endpoints`,
  `sent_url`, `path_of`, `query_of`, `sent_body`.
* Time: `FakeClock`, monotonic time that moves only when the client sleeps (or a test moves it).
* Results: `run` an action as the platform does, then `ok_data`, `failed`, `assert_input_error`,
  `assert_schema_error`, `assert_nothing_sent`, and for batch reports `counts` and `message_of`.
"""

from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import aiohttp
from autohive_integrations_sdk import FetchResponse, HTTPError
from autohive_integrations_sdk.integration import IntegrationResult, ResultType

import helpers

BASE = helpers.LUMA_API_BASE
# A fake key for tests.
TEST_API_KEY = "luma-test-key-0123456789"  # nosec B105


def production_auth(api_key: str = TEST_API_KEY) -> dict:
    """The shape Autohive passes in production."""
    return {"auth_type": "Custom", "credentials": {"api_key": api_key}}


# ---- Luma's answers ----------------------------------------------------------------------------------------


def ok(data: Any, headers: dict[str, str] | None = None) -> FetchResponse:
    return FetchResponse(status=200, headers=headers or {}, data=data)


def page(entries: list, next_cursor: str | None = None) -> FetchResponse:
    """One page of a paginated list; a cursor means there is more."""
    data: dict[str, Any] = {"entries": entries, "has_more": next_cursor is not None}
    if next_cursor:
        data["next_cursor"] = next_cursor
    return ok(data)


def listed(*entries: dict) -> FetchResponse:
    """An unpaginated list (ticket types)."""
    return ok({"entries": list(entries)})


def lost() -> Exception:
    """The connection dropped before Luma's answer arrived."""
    return aiohttp.ServerDisconnectedError()


def unavailable() -> Exception:
    return luma_error(503, "down")


def luma_error(status: int, message: str) -> HTTPError:
    """Luma's answer with an error status, as the SDK raises it: Luma's own words in the body's `message`."""
    return HTTPError(status, HTTPStatus(status).phrase, {"message": message})


# ---- What was sent -----------------------------------------------------------------------------------------


def sent_url(call: Any) -> str:
    return call.args[0] if call.args else call.kwargs["url"]


def path_of(call: Any) -> str:
    return urlsplit(sent_url(call)).path


def query_of(call: Any) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(sent_url(call)).query)


def request(call: Any) -> tuple[str, str, list[tuple[str, str]], Any]:
    """(method, path, query pairs, json body) of one fetch call, which must go to Luma's API."""
    parts = urlsplit(sent_url(call))
    assert f"{parts.scheme}://{parts.netloc}" == BASE
    return call.kwargs.get("method", "GET"), parts.path, parse_qsl(parts.query), call.kwargs.get("json")


def requests(ctx: Any) -> list[tuple[str, str, list[tuple[str, str]], Any]]:
    return [request(call) for call in ctx.fetch.call_args_list]


def methods(ctx: Any) -> list[str]:
    """The method of every request, in order: what a write's check read, and whether the write went out again."""
    return [method for method, *_ in requests(ctx)]


def endpoints(ctx: Any) -> list[tuple[str, str]]:
    """(method, path) of every request, in order."""
    return [(method, path) for method, path, *_ in requests(ctx)]


def sent_body(ctx: Any) -> Any:
    """The JSON body of the one POST."""
    (body,) = [r[3] for r in requests(ctx) if r[0] == "POST"]
    return body


# ---- Time --------------------------------------------------------------------------------------------------


class FakeClock:
    """Monotonic time that only moves when the client sleeps (recorded in `sleeps`) or a test moves `now`."""

    def __init__(self, monkeypatch: Any):
        self.now = 1000.0
        self.sleeps: list[float] = []
        monkeypatch.setattr(helpers, "_now", lambda: self.now)

        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)
            self.now += seconds

        monkeypatch.setattr(helpers, "_sleep", sleep)


# ---- Results -----------------------------------------------------------------------------------------------


async def run(name: str, inputs: dict, ctx: Any) -> IntegrationResult:
    """An action run as the platform runs it: inputs tidied and validated, handler guarded."""
    from luma import luma

    return await luma.execute_action(name, inputs, ctx)


def ok_data(result: IntegrationResult) -> Any:
    """The data of a successful run; anything else fails with what the run said."""
    assert result.type == ResultType.ACTION, getattr(result.result, "message", result.result)
    return result.result.data


def failed(result: IntegrationResult, *words: str) -> str:
    """The message of an action error, which must contain every one of `words`."""
    assert result.type == ResultType.ACTION_ERROR, result.result
    for word in words:
        assert word in result.result.message
    return result.result.message


def assert_nothing_sent(ctx: Any) -> None:
    assert ctx.fetch.call_count == 0


def assert_input_error(result: IntegrationResult, ctx: Any, *words: str) -> None:
    """Refused by our own checks, before anything was sent."""
    failed(result, *words)
    ctx.fetch.assert_not_called()


def assert_schema_error(result: IntegrationResult, ctx: Any) -> None:
    """Refused by the input schema, before anything was sent."""
    assert result.type == ResultType.VALIDATION_ERROR
    ctx.fetch.assert_not_called()


def counts(data: dict, *statuses: str) -> tuple[int, ...]:
    """The `<status>_count`s of a batch report (add_guests, send_invites), in the order asked."""
    return tuple(data[f"{status}_count"] for status in statuses)


def reported_once_each(data: dict, wanted: list[str]) -> None:
    """add_guests / send_invites: every email reported exactly once, in input order, and the counts add up."""
    assert [r["email"] for r in data["results"]] == wanted
    statuses = ("added", "invited", "already_guest", "failed", "unconfirmed", "not_processed")
    assert sum(data.get(f"{status}_count", 0) for status in statuses) == len(wanted)


def message_of(data: dict, entry: dict) -> str:
    """An entry's message, following a shortened repeat ("Same as for x@y.") to the entry that spells it out."""
    message = entry["message"]
    if message.startswith("Same as for "):
        first = message.removeprefix("Same as for ").removesuffix(".")
        message = next(r["message"] for r in data["results"] if r["email"] == first)
    return message
