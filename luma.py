"""Entry point of the Luma integration: loads config.json, then registers every action."""

from pathlib import Path

from autohive_integrations_sdk import Integration

# A bare Integration.load() looks for config.json relative to the SDK's own package; a modular integration
# (handlers under actions/) passes the path of its own config.json.
luma = Integration.load(Path(__file__).parent / "config.json")

import actions  # noqa: E402,F401  (registers the handlers on `luma`)
