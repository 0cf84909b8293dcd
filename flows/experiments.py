"""MLflow experiment names: one place for the flows that write runs and the reports that read them."""

from __future__ import annotations

FORECAST = "werkwijzer-forecast"
TRIAGE = "werkwijzer-triage"
MONITORING = "werkwijzer-monitoring"
