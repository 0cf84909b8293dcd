"""The dataset entity a run logs is the one MLflow's ``from_pandas`` makes, computed without looking at
every cell in Python (issue 19 item 6: 11 s for the backtest table of 3,420 series)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from mlflow.data.pandas_dataset import from_pandas

from flows.run_story import SCHEMA_SAMPLE, dataset_entity


def test_dataset_entity_equals_mlflows_own_also_for_gaps_after_the_sample() -> None:
    n = SCHEMA_SAMPLE + 500
    frame = pd.DataFrame(
        {
            "series_id": pd.array([f"team_{i % 7}" for i in range(n)], dtype="string"),
            "date": pd.date_range("2020-01-06", periods=n, freq="7D"),
            "actual": np.arange(n, dtype=float),
            "count": np.arange(n, dtype=np.int64),
            "model": pd.array(["auto"] * n, dtype="string"),
        }
    )
    frame.loc[n - 3, "actual"] = np.nan  # a missing actual only after the rows the types come from
    frame.loc[n - 1, "series_id"] = pd.NA
    ours = dataset_entity(frame, "/data/intake.csv", "intake", "0123456789abcdef")
    theirs = from_pandas(frame, source="/data/intake.csv", name="intake", digest="0123456789abcdef")._to_mlflow_entity()
    for field in ("name", "digest", "source_type", "source", "profile"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert json.loads(ours.schema) == json.loads(theirs.schema)
    required = {c["name"]: c["required"] for c in json.loads(ours.schema)["mlflow_colspec"]}
    assert required == {"series_id": False, "date": True, "actual": False, "count": True, "model": True}
