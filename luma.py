"""Entry point of the Luma integration: loads config.json, then registers every action."""

from pathlib import Path

from autohive_integrations_sdk import Integration

luma = Integration.load(Path(__file__).parent / "config.json")

import actions  # noqa: E402,F401  (registers the handlers on `luma`)
