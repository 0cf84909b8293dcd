"""Model owner, auditor and admin: models, the stop button, reloads, the audit trail, monitoring."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.deps import (
    AdminDep,
    AuditorDep,
    ModelReaderDep,
    MonitorDep,
    NowDep,
    ReadSessionDep,
    SessionDep,
    SettingsDep,
    StoreDep,
)
from api.routes.errors import AUTH, INVALID
from api.routes.json_body import CheckedRoute
from api.schemas.governance import (
    AuditPage,
    ModelsPublic,
    OverridesPublic,
    ReloadPublic,
    SwitchPublic,
    SwitchUpdate,
    VerificationPublic,
)
from casework import access, audit, audit_check, monitoring, registry, switches
from casework.clock import utc_iso
from casework.db import reading
from casework.errors import InvalidInput, Problem

router = APIRouter(route_class=CheckedRoute)


@router.get("/models", response_model=ModelsPublic, responses=AUTH, tags=["models"])
def list_models(_: ModelReaderDep, session: ReadSessionDep, store: StoreDep) -> dict[str, Any]:
    """Loaded champions with their versions, gates, model cards and Algoritmeregister entries."""
    return registry.models(store, switches.current(session))


@router.put("/admin/advice-switch", response_model=SwitchPublic, responses={**AUTH, **INVALID}, tags=["admin"])
def advice_switch(body: SwitchUpdate, user: AdminDep, session: SessionDep, now: NowDep) -> dict[str, Any]:
    """Stop button: switch advice off (or on) for one triage model or globally."""
    change = switches.flip(session, user, body.scope, body.enabled, body.reason, now)
    session.commit()
    return {
        "scope": change.scope,
        "enabled": change.enabled,
        "changed_by": change.changed_by,
        "changed_at": utc_iso(change.changed_at),
        "switches": switches.current(session),
    }


@router.post("/admin/reload", response_model=ReloadPublic, responses=AUTH, tags=["admin"])
def reload_models(user: AdminDep, session: SessionDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Load newly approved champions from MLflow; keeps serving the old ones if that fails."""
    results = {
        name: {"status": r.status, "version": r.version, "message": r.message} for name, r in store.reload().items()
    }
    audit.record(session, kind="models.reloaded", actor=user.id, subject="models", at=now, payload=results)
    session.commit()
    return {"results": results}


@router.get("/audit/events", response_model=AuditPage, responses=AUTH, tags=["audit"])
def audit_events(
    _: AuditorDep,
    session: ReadSessionDep,
    after_seq: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    subject: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    """Audit entries in order, page by page (``after_seq`` of the last one you saw)."""
    return audit.page(session, after_seq, limit, subject)


@router.get("/audit/verify", response_model=VerificationPublic, responses={**AUTH, **INVALID}, tags=["audit"])
def audit_verify(
    _: AuditorDep,
    request: Request,
    settings: SettingsDep,
    anchor_seq: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    anchor_hash: Annotated[str | None, Query(pattern="^[0-9a-f]{64}$")] = None,
) -> dict[str, Any]:
    """Recompute the hash chain and check it against the signed checkpoints, your kept head
    (``anchor_seq`` and ``anchor_hash`` from an earlier answer) and the advice and decision rows;
    ``valid`` is false and ``problems`` says what when anything was tampered with.

    It reads one snapshot of the database and never takes the writer lock: advice and decisions go
    on being stored while it walks (what they add after the snapshot is checked the next time)."""
    if (anchor_seq is None) != (anchor_hash is None):
        raise InvalidInput(
            [
                Problem(
                    ("query", "anchor_hash" if anchor_hash is None else "anchor_seq"),
                    "give anchor_seq and anchor_hash together",
                    "value_error.anchor",
                )
            ]
        )
    anchor = audit_check.Anchor(anchor_seq, anchor_hash) if anchor_seq is not None and anchor_hash else None
    engine = request.app.state.engine
    return vars(
        audit_check.verify_trail(
            lambda: reading(engine, snapshot=True), settings.audit_checkpoint_file, settings.audit_signing_key, anchor
        )
    )


@router.get("/monitoring/overrides", response_model=OverridesPublic, responses=AUTH, tags=["monitoring"])
def override_rates(
    user: MonitorDep,
    session: ReadSessionDep,
    settings: SettingsDep,
    team: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    """Agreement and override rates per team, model version and score band, with alerts; a team lead's
    cover only their own teams."""
    if team:
        access.require_team(user, team)
    return monitoring.overrides(session, settings, team, access.visible_teams(user))
