"""Where the local commands send their calls, said truthfully:

* `LUMA_API_KEY` set: that key, at `LUMA_API_BASE_URL` (real Luma at https://public-api.luma.com when unset), with
  `LUMA_CALENDAR_ID` as the connection's calendar when the key is an organization key;
* only `LUMA_API_BASE_URL` set: a Luma-compatible server there (e.g. `python -m luma_local`), with the local key;
* neither: the embedded local Luma. For `bin/invoke` it keeps its state in a file (`.luma-local/state.json`, or
  `LUMA_LOCAL_STATE`), so calls chain like calls against real Luma; `bin/demo` uses a fresh, isolated one.
"""

import io
import json
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autohive_integrations_sdk import ExecutionContext, IntegrationResult
from autohive_integrations_sdk.integration import ResultType

import helpers
from luma import luma
from luma_local import DEFAULT_API_KEY, LumaEmulator

ROOT = Path(__file__).resolve().parent.parent
STATE_ENV = "LUMA_LOCAL_STATE"
CALENDAR_ENV = "LUMA_CALENDAR_ID"
DEFAULT_STATE_FILE = ROOT / ".luma-local" / "state.json"


class StateFileError(Exception):
    """The embedded local Luma's state file cannot be read or written: one line for the person at the terminal."""


def load_emulator(path: Path | None) -> LumaEmulator:
    """The embedded local Luma, with its state from `path` when that file exists."""
    if path is None:
        return LumaEmulator(api_key=DEFAULT_API_KEY)
    try:
        return LumaEmulator(api_key=DEFAULT_API_KEY, state_file=path)
    except json.JSONDecodeError:
        why = "it is not valid JSON"
    except UnicodeDecodeError:
        why = "it is not UTF-8 text"
    except OSError as error:
        why = error.strerror or str(error)
    except ValueError as error:  # another format or version, said by the loader
        why = str(error)
    except (KeyError, TypeError, AttributeError):
        why = "it is not a state file this version writes"
    raise StateFileError(
        f"the local Luma's state file {path} is unreadable: {why}; bin/invoke --reset starts it again from the demo "
        "data"
    )


def auth_for(api_key: str, calendar_id: str | None = None) -> dict[str, Any]:
    credentials = {"api_key": api_key, **({"calendar_id": calendar_id} if calendar_id else {})}
    return {"auth_type": "Custom", "credentials": credentials}


@dataclass
class Session:
    context: ExecutionContext
    target: str
    emulator: LumaEmulator | None = None

    async def run(self, action: str, inputs: dict[str, Any]) -> IntegrationResult:
        # The SDK prints every non-2xx body to stdout; the action's own result already says what matters.
        with redirect_stdout(io.StringIO()):
            return await luma.execute_action(action, inputs, self.context)

    async def poll(self, trigger: str, inputs: dict[str, Any], since: str | None) -> list[dict[str, Any]]:
        with redirect_stdout(io.StringIO()):
            return await luma.execute_polling_trigger(trigger, inputs, since, self.context)


def state_file() -> Path:
    return Path(os.environ.get(STATE_ENV) or DEFAULT_STATE_FILE)


def describe_remote(base: str, with_key: bool) -> str:
    if base == helpers.LUMA_API_BASE:
        return f"real Luma at {base}"
    if with_key:
        return f"the Luma API at {base} (LUMA_API_BASE_URL)"
    return f"the Luma-compatible server at {base} (LUMA_API_BASE_URL), with the local key {DEFAULT_API_KEY}"


@asynccontextmanager
async def luma_session(*, persistent: bool = False, reset: bool = False) -> AsyncIterator[Session]:
    """A session against the target the environment names. `persistent`: the embedded local Luma keeps its state
    in `state_file()` (`reset` starts it again from the demo seed); otherwise it is fresh and seeded."""
    logging.getLogger("autohive_integrations_sdk").setLevel(logging.CRITICAL)
    api_key = os.environ.get("LUMA_API_KEY", "").strip()
    remote_base = os.environ.get(helpers.LUMA_API_BASE_ENV, "").strip()
    if api_key or remote_base:
        key = api_key or DEFAULT_API_KEY
        calendar_id = os.environ.get(CALENDAR_ENV, "").strip() or None
        async with ExecutionContext(auth=auth_for(key, calendar_id)) as context:
            yield Session(context, describe_remote(helpers.base_url(), bool(api_key)))
        return

    path = state_file() if persistent else None
    if path is not None and reset and path.exists():
        path.unlink()
    fresh = path is None or not path.exists()
    async with load_emulator(path) as emulator:
        if fresh:
            emulator.seed_demo()
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                emulator.save_state(path)
            except OSError as error:
                emulator.state_file = None  # or stopping it would try (and fail) to save again, hiding this error
                raise StateFileError(
                    f"cannot write the local Luma's state file {path}: {error.strerror or error}; set {STATE_ENV} to "
                    "a file in a writable folder"
                ) from None
            where = f"the embedded local Luma (state kept in {path}; --reset starts it again)"
        else:
            where = "a fresh embedded local Luma"
        os.environ[helpers.LUMA_API_BASE_ENV] = emulator.base_url
        try:
            async with ExecutionContext(auth=auth_for(DEFAULT_API_KEY)) as context:
                yield Session(context, where, emulator)
        finally:
            os.environ.pop(helpers.LUMA_API_BASE_ENV, None)


def outcome(result: IntegrationResult) -> tuple[bool, Any]:
    """(succeeded, payload) of an SDK result: the action's data, or the error/validation message."""
    if result.type == ResultType.ACTION:
        return True, result.result.data
    if result.type == ResultType.ACTION_ERROR:
        return False, result.result.message
    details = result.result if isinstance(result.result, dict) else {"message": str(result.result)}
    what = "invalid input" if details.get("source") == "input" else f"schema check failed ({details.get('source')})"
    return False, f"{what}: {details.get('message', '')}".strip()
