"""What model owners and auditors read about the models: versions, gates, cards, register entries."""

from __future__ import annotations

from typing import Any

from casework.clock import utc_iso
from casework.config import FORECAST, MODEL_NAMES, SWITCH_SCOPES
from casework.modelstore import ModelStore, TriageBundle


def models(store: ModelStore, state: dict[str, bool]) -> dict[str, Any]:
    out = []
    for name in MODEL_NAMES:
        bundle = store.forecast if name == FORECAST else store.triage(name)
        version = bundle.version if bundle else None
        out.append(
            {
                "name": name,
                "loaded": bundle is not None,
                "version": version,
                "loaded_at": utc_iso(bundle.loaded_at) if bundle else None,
                "advice_enabled": (state.get("global", True) and state.get(name, True))
                if name in SWITCH_SCOPES
                else None,
                "gates": bundle.gates if bundle else {},
                "model_card": bundle.model_card if isinstance(bundle, TriageBundle) else {},
                "register_entry": bundle.register_entry if bundle else {},
                "versions": [{**v, "champion": v["version"] == version} for v in store.versions(name)],
            }
        )
    return {"advice_enabled_globally": state.get("global", True), "models": out}
