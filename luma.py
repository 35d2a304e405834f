"""Entry point of the Luma integration: loads config.json, then registers every action and trigger."""

from pathlib import Path

from luma_integration import LumaIntegration

# A bare Integration.load() looks for config.json relative to the SDK's own package; a modular integration
# (handlers under actions/) passes the path of its own config.json.
luma = LumaIntegration.load(Path(__file__).parent / "config.json")

import actions  # noqa: E402,F401  (registers the handlers on `luma`)
import triggers  # noqa: E402,F401  (registers the polling trigger handlers on `luma`)
