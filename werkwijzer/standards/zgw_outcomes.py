"""Outcomes of closed zaken from a ZGW Zaken API, recorded through Werkwijzer's outcome endpoint (issue 17).

The rules, in the order they apply:

- **Closed** is a zaak with an ``einddatum`` and a ``resultaat``. What it turned out to need — the
  handling hours, the effort class and whether an integrated approach was needed — are no Zaken API
  fields: they are read from the zaakeigenschappen the mapping's ``outcomes`` section names
  (``handling_hours``, ``effort_class``, ``integrated_approach``, each ``{eigenschap: NAAM}``).
- **Checked before anything is sent.** Every problem names the zaak (its URL), the field, the
  eigenschap and what was expected: hours a number above 0 and at most 10,000, an effort class as
  text, a true/false word for the integrated approach; a value that looks like a BSN is refused. Any
  problem refuses the whole run: nothing is recorded.
- **The same service as a caseworker's report.** Each outcome is sent to ``POST /cases/{case_id}/outcome``
  as a case-system user, under the case key the cases file uses (``zgw_import.case_key``), so the API
  validates it (the effort class one the decision could name), puts it on the audit trail, and refuses
  it for a case without decided advice (counted and reported; a later run tries again).
- **Idempotent.** The state file in the output folder remembers, per zaak, the outcome recorded for it.
  An unchanged zaak is not sent again; a changed one is sent as a correction with the reason
  ``CORRECTION`` (a new revision; the earlier one stays on record); every request carries an
  Idempotency-Key made of the zaak, the values and the values it corrects, so a run retried after a
  failure is answered from the first, and a zaak changed back to earlier values is a new correction.
  A case whose outcome someone else recorded first is left alone and reported.
  A later run asks for zaken closed since the last day it read, or since the earliest zaak whose case
  was not decided in Werkwijzer yet (409), so that one is tried again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from werkwijzer.io import staged_output
from werkwijzer.privacy import contains_bsn
from werkwijzer.standards.zgw_import import OUTCOME_FIELDS, Mapping, ZGWImportError, case_key, local_date
from werkwijzer.vocabulary import FALSE_WORDS, MAX_CLASS_LENGTH, MAX_HANDLING_HOURS, TRUE_WORDS

STATE_FILE = "zgw_outcomes_state.json"
CORRECTION = "Uitkomst gewijzigd in het zaaksysteem (ZGW-import)."


class OutcomeClient(Protocol):
    """What the import needs of ``werkwijzer.client.WerkwijzerClient``."""

    def record_outcome(
        self,
        case_id: str,
        handling_hours: float,
        effort_class: str,
        integrated_approach: bool,
        *,
        reason: str | None = None,
        key: str | None = None,
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ZaakOutcome:
    zaak: str  # the zaak's URL
    case_id: str
    handling_hours: float
    effort_class: str
    integrated_approach: bool
    closed_on: str = ""  # the einddatum (YYYY-MM-DD), where the next run must read again if this one waits

    def values(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in OUTCOME_FIELDS}

    def key(self, corrects: dict[str, Any] | None = None) -> str:
        """The Idempotency-Key of recording exactly these values for this zaak, as a correction of ``corrects``
        (the values recorded before) if given: a zaak changed back to values it had is a new request, not a
        reuse of the first one's key (the API refuses that with 409)."""
        text = json.dumps([self.zaak, self.values(), *([corrects] if corrects is not None else [])], sort_keys=True)
        return "zgw-outcome-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def is_closed(zaak: dict[str, Any]) -> bool:
    return bool(zaak.get("einddatum")) and bool(zaak.get("resultaat"))


def _hours(text: str) -> float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if 0 < value <= MAX_HANDLING_HOURS else None


def _flag(text: str) -> bool | None:
    word = text.strip().lower()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


def outcome_of(zaak: dict[str, Any], props: dict[str, str], mapping: Mapping) -> tuple[ZaakOutcome | None, list[str]]:
    """The outcome of one closed zaak from its eigenschappen, or the problems, each naming zaak, field and what
    was expected."""
    where = str(zaak.get("url") or zaak.get("uuid") or "(a zaak without url)")
    problems, raw = [], {}
    for name, naam in mapping.outcomes.items():
        text = props.get(naam)
        if text is None or not str(text).strip():
            problems.append(f"zaak {where}, {name} (eigenschap {naam!r}): missing; expected a value on a closed zaak")
            continue
        if contains_bsn(text):
            problems.append(f"zaak {where}, {name} (eigenschap {naam!r}): looks like a BSN; never sent")
            continue
        raw[name] = str(text).strip()
    hours = _hours(raw["handling_hours"]) if "handling_hours" in raw else None
    if "handling_hours" in raw and hours is None:
        problems.append(
            f"zaak {where}, handling_hours (eigenschap {mapping.outcomes['handling_hours']!r}): expected a number of "
            f"hours above 0 and at most {MAX_HANDLING_HOURS:,}, got {raw['handling_hours'][:40]!r}"
        )
    flag = _flag(raw["integrated_approach"]) if "integrated_approach" in raw else None
    if "integrated_approach" in raw and flag is None:
        problems.append(
            f"zaak {where}, integrated_approach (eigenschap {mapping.outcomes['integrated_approach']!r}): expected "
            f"true or false ({', '.join(TRUE_WORDS[:3])} / {', '.join(FALSE_WORDS[:3])}), "
            f"got {raw['integrated_approach'][:40]!r}"
        )
    if "effort_class" in raw and len(raw["effort_class"]) > MAX_CLASS_LENGTH:
        problems.append(
            f"zaak {where}, effort_class (eigenschap {mapping.outcomes['effort_class']!r}): expected an effort class "
            f"of at most {MAX_CLASS_LENGTH} characters"
        )
    if problems or hours is None or flag is None:
        return None, problems
    day = local_date(zaak.get("einddatum"))
    closed_on = day.isoformat() if day else ""
    return ZaakOutcome(where, case_key(zaak, mapping), hours, raw["effort_class"], flag, closed_on), []


@dataclass
class OutcomeState:
    """Per zaak URL the outcome values recorded for it; the last einddatum read."""

    url: str
    closed_through: str | None = None
    recorded: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, out: Path, url: str) -> OutcomeState:
        path = out / STATE_FILE
        if not path.is_file():
            return cls(url)
        try:
            state = cls(**json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError) as exc:
            raise ZGWImportError(f"{path}: not a state file of this import ({exc}); remove it to start again") from None
        if state.url != url:
            raise ZGWImportError(f"{out} holds outcomes from {state.url}; use another --out for {url}")
        return state

    def save(self, out: Path) -> None:
        with staged_output(out) as stage:
            (stage / STATE_FILE).write_text(json.dumps(self.__dict__, indent=1, sort_keys=True), encoding="utf-8")


@dataclass(frozen=True)
class OutcomeResult:
    closed: int  # closed zaken of mapped zaaktypes read
    recorded: int  # first outcomes recorded
    corrected: int  # changed outcomes recorded as corrections
    unchanged: int  # recorded before with the same values: not sent again
    not_in_werkwijzer: int  # no advice for the case key (404)
    not_decided: int  # advice without a decision yet (409)
    recorded_elsewhere: int  # an outcome was recorded for the case by someone else first


def import_outcomes(
    closed_zaken: Callable[[dt.date], Iterable[dict[str, Any]]],
    eigenschappen: Callable[[dict[str, Any]], list[dict[str, Any]]],
    client: OutcomeClient,
    *,
    url: str,
    mapping: Mapping,
    out: Path,
    since: dt.date,
) -> OutcomeResult:
    """Read the zaken closed after ``since`` (or after the last day a run read) and record their outcomes."""
    from werkwijzer.client import ApiError

    if not mapping.outcomes:
        raise ZGWImportError("the mapping has no 'outcomes' section: which zaakeigenschappen hold the outcome")
    out.mkdir(parents=True, exist_ok=True)
    state = OutcomeState.load(out, url)
    after = dt.date.fromisoformat(state.closed_through) - dt.timedelta(days=1) if state.closed_through else since
    found, problems, last = [], [], state.closed_through
    for zaak in closed_zaken(after):
        if not is_closed(zaak) or str(zaak.get("zaaktype")) not in mapping.teams:
            continue
        props = {str(e.get("naam")): str(e.get("waarde", "")) for e in eigenschappen(zaak)}
        outcome, wrong = outcome_of(zaak, props, mapping)
        problems += wrong
        if outcome is not None:
            found.append(outcome)
        day = local_date(zaak.get("einddatum"))
        if day is not None and (last is None or day.isoformat() > last):
            last = day.isoformat()
    if problems:
        shown = "\n  ".join(problems[:20]) + (f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise ZGWImportError(f"{len(problems)} outcome value(s) refused, nothing recorded:\n  {shown}")
    counts = dict.fromkeys(("recorded", "corrected", "unchanged", "absent", "open", "elsewhere"), 0)
    waiting: list[str] = []  # einddatum of cases not decided in Werkwijzer yet: the next run reads from there
    try:
        for outcome in found:
            before = state.recorded.get(outcome.zaak)
            if before == outcome.values():
                counts["unchanged"] += 1
                continue
            reason = CORRECTION if before is not None else None
            try:
                client.record_outcome(outcome.case_id, **outcome.values(), reason=reason, key=outcome.key(before))
            except ApiError as exc:
                kind = {404: "absent", 409: "open"}.get(exc.status or 0)
                if kind is None and "value_error.reason_required" in exc.kinds:
                    kind = "elsewhere"
                if kind is None:
                    raise ZGWImportError(f"zaak {outcome.zaak}: the outcome was refused: {exc}") from None
                counts[kind] += 1
                if kind == "open" and outcome.closed_on:
                    waiting.append(outcome.closed_on)
                continue
            state.recorded[outcome.zaak] = outcome.values()
            counts["corrected" if before is not None else "recorded"] += 1
        state.closed_through = min([d for d in (last, *waiting) if d], default=None)
    finally:
        state.save(out)  # what was recorded stays remembered, also when a later zaak failed
    return OutcomeResult(
        len(found),
        counts["recorded"],
        counts["corrected"],
        counts["unchanged"],
        counts["absent"],
        counts["open"],
        counts["elsewhere"],
    )
