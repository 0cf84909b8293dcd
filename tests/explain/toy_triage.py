"""A toy case file with known drivers, for the explanation tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

SCHEMA = {
    "features": [
        {
            "name": "open_debts",
            "kind": "numeric",
            "label_nl": "Aantal openstaande schulden",
            "label_en": "Number of open debts",
        },
        {
            "name": "requested_provision",
            "kind": "categorical",
            "label_nl": "Gevraagde voorziening",
            "label_en": "Requested provision",
        },
        {
            "name": "documents_complete",
            "kind": "boolean",
            "label_nl": "Documenten compleet",
            "label_en": "Documents complete",
        },
    ]
}


def toy_cases(n: int = 1500, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "open_debts": rng.poisson(2.0, n).astype(float),
            "requested_provision": rng.choice(["hulpmiddel", "begeleiding", "woningaanpassing"], n),
            "documents_complete": rng.random(n) < 0.7,
        }
    )
    score = (
        0.7 * frame["open_debts"]
        + np.where(frame["requested_provision"] == "woningaanpassing", 1.2, 0)
        - 1.0 * frame["documents_complete"]
        + rng.normal(0, 1, n)
    )
    frame["integrated"] = np.where(score > np.quantile(score, 0.7), "ja", "nee")
    frame["effort"] = np.array(["eenvoudig", "gemiddeld", "complex"], dtype=object)[
        np.digitize(score, np.quantile(score, [0.45, 0.83]))
    ]
    return frame


FEATURES = ["open_debts", "requested_provision", "documents_complete"]
