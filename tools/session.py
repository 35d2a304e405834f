"""Where the local commands run: real Luma when LUMA_API_KEY is set, otherwise the embedded local Luma."""

import io
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, redirect_stdout
from dataclasses import dataclass
from typing import Any

from autohive_integrations_sdk import ExecutionContext, IntegrationResult
from autohive_integrations_sdk.integration import ResultType

import helpers
from luma import luma

LOCAL_API_KEY = "luma-local-demo-key"  # the emulator's own key, not a secret


@dataclass
class Session:
    context: ExecutionContext
    target: str
    emulator: Any = None

    async def run(self, action: str, inputs: dict[str, Any]) -> IntegrationResult:
        # The SDK prints every non-2xx body to stdout; the action's own result already says what matters.
        with redirect_stdout(io.StringIO()):
            return await luma.execute_action(action, inputs, self.context)


@asynccontextmanager
async def luma_session(seed: bool = True) -> AsyncIterator[Session]:
    logging.getLogger("autohive_integrations_sdk").setLevel(logging.CRITICAL)
    api_key = os.environ.get("LUMA_API_KEY", "").strip()
    if api_key:
        async with ExecutionContext(auth={"auth_type": "Custom", "credentials": {"api_key": api_key}}) as context:
            yield Session(context, f"real Luma at {helpers.base_url()}")
        return

    from luma_local import LumaEmulator

    async with LumaEmulator(api_key=LOCAL_API_KEY) as emulator:
        if seed:
            emulator.seed_demo()
        previous = os.environ.get(helpers.LUMA_API_BASE_ENV)
        os.environ[helpers.LUMA_API_BASE_ENV] = emulator.base_url
        try:
            auth = {"auth_type": "Custom", "credentials": {"api_key": LOCAL_API_KEY}}
            async with ExecutionContext(auth=auth) as context:
                yield Session(context, f"the local Luma emulator at {emulator.base_url}", emulator)
        finally:
            if previous is None:
                os.environ.pop(helpers.LUMA_API_BASE_ENV, None)
            else:
                os.environ[helpers.LUMA_API_BASE_ENV] = previous


def outcome(result: IntegrationResult) -> tuple[bool, Any]:
    """(succeeded, payload) of an SDK result: the action's data, or the error/validation message."""
    if result.type == ResultType.ACTION:
        return True, result.result.data
    if result.type == ResultType.ACTION_ERROR:
        return False, result.result.message
    details = result.result if isinstance(result.result, dict) else {"message": str(result.result)}
    what = "invalid input" if details.get("source") == "input" else f"schema check failed ({details.get('source')})"
    return False, f"{what}: {details.get('message', '')}".strip()
