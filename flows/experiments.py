"""MLflow experiment names: one place for the flows that write runs and the reports that read them."""

from __future__ import annotations

from werkwijzer import vocabulary

FORECAST = vocabulary.FORECAST  # named after the registered model its runs produce
TRIAGE = vocabulary.TRIAGE_PREFIX
MONITORING = "werkwijzer-monitoring"
