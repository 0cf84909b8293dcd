"""The shared test helper for ADR 0019: training leaves candidates, a named test owner approves them.

Tests that need a served model approve as a person would (``casework.approvals``), so the audit
trail and the MLflow tags are as in use, instead of setting the ``champion`` alias by hand.
"""

from __future__ import annotations

from casework.approvals import Approver, Outcome, approve_candidates
from casework.clock import utc_now
from casework.config import MODEL_NAMES
from werkwijzer.settings import Settings

TEST_OWNER = "Test modeleigenaar"
OWNER = Approver(name=TEST_OWNER, actor="test-owner", via="test", named_by="option")


def approve_all(settings: Settings, models: tuple[str, ...] = MODEL_NAMES) -> list[Outcome]:
    """Approve each waiting candidate of ``models`` as the named test owner; returns what was approved."""
    return approve_candidates(settings, OWNER, "test: approved by the named test owner", utc_now(), models)
