"""Zaken from a ZGW Zaken API into the intake and cases files Werkwijzer reads.

The rules, in the order they apply:

- **Nothing identifying a person leaves.** Only the zaak attributes in ``ATTRIBUTES`` and the
  eigenschappen a mapping names are read into the cases file; betrokkenen (``rollen``), locations
  and objects (addresses), kenmerken and free text (``omschrijving``, ``toelichting``, reasons) are
  never read, and a mapping naming them is refused. Every value that would leave — the case key,
  each feature — is checked with ``werkwijzer.privacy``: a possible BSN refuses the whole import.
  The case key is a hash of the zaak's URL unless the mapping asks for ``identificatie``.
- **Counted by registratiedatum**, as a date in Europe/Amsterdam (a date-time is converted first),
  one series per team, every day from ``since`` to ``until`` (zeros included); the team comes
  from the mapping's zaaktype → team. A zaak of an unknown zaaktype is counted per zaaktype and
  reported, never put in a team; one without registratiedatum or registered after ``until`` is
  reported and left out.
- **Incremental.** The state file in the output folder remembers the days counted. A later run
  asks only for zaken registered on or after the last counted day; each day it counts again
  replaces that day's count (late registrations) and its cases.
- **Nothing half-written.** Everything is read first; the files are written to a staging folder,
  checked against their contracts (``werkwijzer validate``'s checks) and only then renamed into
  place, the state last.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pandas as pd
import yaml

from werkwijzer.contracts import read_cases, read_intake
from werkwijzer.io import staged_output, write_csv
from werkwijzer.privacy import contains_bsn

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
STATE_FILE = "zgw_import_state.json"
INTAKE_FILE = "intake.csv"
CASES_FILE = "cases.csv"
# Zaak attributes that hold no person and no free text: codes, dates and references.
ATTRIBUTES = frozenset(
    {
        "bronorganisatie",
        "verantwoordelijkeOrganisatie",
        "opdrachtgevendeOrganisatie",
        "zaaktype",
        "registratiedatum",
        "startdatum",
        "einddatum",
        "einddatumGepland",
        "uiterlijkeEinddatumAfdoening",
        "publicatiedatum",
        "communicatiekanaal",
        "vertrouwelijkheidaanduiding",
        "betalingsindicatie",
        "laatsteBetaaldatum",
        "archiefnominatie",
        "archiefstatus",
        "archiefactiedatum",
        "selectielijstklasse",
        "hoofdzaak",
        "status",
        "resultaat",
    }
)
# Attributes that are never read, and why.
REFUSED = {
    "omschrijving": "free text",
    "toelichting": "free text",
    "rollen": "betrokkenen (persons)",
    "zaakgeometrie": "a location",
    "zaakobjecten": "objects, addresses among them",
    "kenmerken": "free-text references",
    "opschorting": "a free-text reason",
    "verlenging": "a free-text reason",
    "processobject": "free-text references",
    "relevanteAndereZaken": "links to other zaken",
    "identificatie": "a key, not a feature (see case_id)",
}
_DATES = frozenset(
    {
        "registratiedatum",
        "startdatum",
        "einddatum",
        "einddatumGepland",
        "uiterlijkeEinddatumAfdoening",
        "publicatiedatum",
        "laatsteBetaaldatum",
        "archiefactiedatum",
    }
)


class ZGWImportError(ValueError):
    """The mapping, the state or a zaak refuses the import; nothing was written."""


@dataclass(frozen=True)
class Source:
    """Where a feature comes from: a zaak ``attribute`` or an ``eigenschap`` (by its naam)."""

    kind: Literal["attribute", "eigenschap"]
    name: str


# What an outcome holds and the zaakeigenschap each is read from (not Zaken API fields; issue 17).
OUTCOME_FIELDS = ("handling_hours", "effort_class", "integrated_approach")


@dataclass(frozen=True)
class Mapping:
    teams: dict[str, str]
    features: dict[str, Source] = field(default_factory=dict)
    case_id: Literal["hash", "identificatie"] = "hash"
    outcomes: dict[str, str] = field(default_factory=dict)  # outcome field -> eigenschap naam

    @property
    def needs_eigenschappen(self) -> bool:
        return any(s.kind == "eigenschap" for s in self.features.values())


def _outcome_sources(name: str, spec: Any) -> dict[str, str]:
    """The mapping's ``outcomes`` section: each of ``OUTCOME_FIELDS`` as ``{eigenschap: NAAM}``, all or none."""
    if spec is None:
        return {}
    if not isinstance(spec, dict) or set(spec) != set(OUTCOME_FIELDS):
        raise ZGWImportError(f"{name}, 'outcomes': expected exactly {', '.join(OUTCOME_FIELDS)}")
    sources = {}
    for key in OUTCOME_FIELDS:
        item = spec[key]
        if not isinstance(item, dict) or list(item) != ["eigenschap"] or not isinstance(item["eigenschap"], str):
            raise ZGWImportError(
                f"{name}, 'outcomes.{key}': expected {{eigenschap: NAAM}} "
                "(a zaakeigenschap; the Zaken API has no such field)"
            )
        sources[key] = item["eigenschap"]
    return sources


def load_mapping(path: str | Path) -> Mapping:
    """Read a mapping file (YAML); every problem names its key."""
    name = Path(path).name
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ZGWImportError(f"{name}: cannot read it as YAML ({exc})") from None
    if not isinstance(doc, dict) or set(doc) - {"teams", "features", "case_id", "outcomes"}:
        raise ZGWImportError(f"{name}: expected the keys teams, features, case_id and outcomes only")
    teams = doc.get("teams")
    if not isinstance(teams, dict) or not teams or not all(isinstance(v, str) and v for v in teams.values()):
        raise ZGWImportError(f"{name}, 'teams': expected zaaktype URL: team, at least one")
    features: dict[str, Source] = {}
    for column, spec in (doc.get("features") or {}).items():
        if not isinstance(spec, dict) or len(spec) != 1 or next(iter(spec)) not in ("attribute", "eigenschap"):
            raise ZGWImportError(f"{name}, 'features.{column}': expected {{attribute: NAME}} or {{eigenschap: NAAM}}")
        kind, source = next(iter(spec.items()))
        if kind == "attribute" and source not in ATTRIBUTES:
            why = REFUSED.get(source, "not a zaak attribute Werkwijzer reads")
            raise ZGWImportError(
                f"{name}, 'features.{column}': the attribute {source!r} is never imported ({why}); "
                f"allowed: {', '.join(sorted(ATTRIBUTES))}"
            )
        if column in ("case_id", "team", "received_date"):
            raise ZGWImportError(f"{name}, 'features.{column}': {column} is filled by the import itself")
        features[str(column)] = Source(kind, str(source))
    case_id = doc.get("case_id", "hash")
    if case_id not in ("hash", "identificatie"):
        raise ZGWImportError(f"{name}, 'case_id': got {case_id!r}; expected hash or identificatie")
    return Mapping(
        teams={str(k): v for k, v in teams.items()},
        features=features,
        case_id=case_id,
        outcomes=_outcome_sources(name, doc.get("outcomes")),
    )


def local_date(value: Any) -> dt.date | None:
    """A date as the municipality reads it: ``YYYY-MM-DD`` as is, a date-time in Europe/Amsterdam."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        if "T" not in text and " " not in text:
            return dt.date.fromisoformat(text)
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment.astimezone(AMSTERDAM) if moment.tzinfo else moment).date()


_LETTERS = str.maketrans("0123456789", "ghijklmnop")


def case_key(zaak: dict[str, Any], mapping: Mapping) -> str:
    """The pseudonymous key of a zaak: a hash of its URL (letters only, so never a BSN), or its identificatie."""
    if mapping.case_id == "identificatie" and zaak.get("identificatie"):
        return str(zaak["identificatie"])
    source = str(zaak.get("url") or zaak.get("uuid") or json.dumps(zaak, sort_keys=True))
    return "zgw-" + hashlib.sha256(source.encode("utf-8")).hexdigest()[:20].translate(_LETTERS)


@dataclass
class State:
    """What earlier runs counted: per team and per unknown zaaktype, the count of each day."""

    url: str
    since: str
    counted_through: str | None = None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    unknown: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def load(cls, out: Path) -> State | None:
        path = out / STATE_FILE
        if not path.is_file():
            return None
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError) as exc:
            raise ZGWImportError(f"{path}: not a state file of this import ({exc}); remove it to start again") from None

    def replace_from(self, start: dt.date, counts: dict[str, Counter], unknown: dict[str, Counter]) -> None:
        """Drop every day from ``start`` on and take the new counts of those days."""
        first = start.isoformat()
        for old, new in ((self.counts, counts), (self.unknown, unknown)):
            for key in list(old):
                old[key] = {d: n for d, n in old[key].items() if d < first}
            for key, days in new.items():
                old.setdefault(key, {}).update({d.isoformat(): n for d, n in days.items()})


@dataclass(frozen=True)
class ImportResult:
    start: dt.date
    until: dt.date
    zaken: int
    cases: int
    unknown: dict[str, int]
    undated: int
    later: int
    files: tuple[Path, ...]


def _value(zaak: dict[str, Any], eigenschappen: dict[str, str], source: Source) -> str:
    raw = zaak.get(source.name) if source.kind == "attribute" else eigenschappen.get(source.name)
    if raw is None or isinstance(raw, list | dict):
        return ""
    if source.kind == "attribute" and source.name in _DATES:
        day = local_date(raw)
        return day.isoformat() if day else ""
    return str(raw).lower() if isinstance(raw, bool) else str(raw)


def _refuse_bsn(value: str, what: str, zaak: dict[str, Any]) -> None:
    if contains_bsn(value):
        where = zaak.get("uuid") if zaak.get("uuid") and not contains_bsn(zaak["uuid"]) else "a zaak"
        raise ZGWImportError(
            f"{what} of zaak {where} looks like a citizen service number (BSN); the import is "
            "refused and nothing was written (map pseudonymous values only)"
        )


def run_import(
    zaken: Callable[[dt.date], Iterable[dict[str, Any]]],
    eigenschappen: Callable[[dict[str, Any]], list[dict[str, Any]]],
    *,
    url: str,
    mapping: Mapping,
    out: Path,
    since: dt.date,
    until: dt.date | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Read zaken (``zaken(registered_after)``, ``eigenschappen(zaak)``: a ``ZakenClient``'s methods)
    and write ``intake.csv``, ``cases.csv`` and the state into ``out``."""
    today = today or dt.datetime.now(AMSTERDAM).date()
    until = until or today
    if until > today or since > until:
        raise ZGWImportError(
            f"expected since <= until <= today (Europe/Amsterdam): got {since} .. {until}, today {today}"
        )
    out.mkdir(parents=True, exist_ok=True)
    state = State.load(out)
    if state is not None and state.url != url:
        raise ZGWImportError(f"{out} holds an import from {state.url}; use another --out for {url}")
    first = min(since, dt.date.fromisoformat(state.since)) if state else since
    # A later run counts again from its last counted day; an earlier --since than before counts from there.
    start = (
        since
        if state is None or state.counted_through is None or since < dt.date.fromisoformat(state.since)
        else (dt.date.fromisoformat(state.counted_through))
    )
    counts: dict[str, Counter] = defaultdict(Counter)
    unknown: dict[str, Counter] = defaultdict(Counter)
    rows: list[dict[str, str]] = []
    seen = undated = later = 0
    for zaak in zaken(start - dt.timedelta(days=1)):
        seen += 1
        day = local_date(zaak.get("registratiedatum"))
        if day is None:
            undated += 1
            continue
        if day < start:
            continue
        if day > until:
            later += 1
            continue
        team = mapping.teams.get(str(zaak.get("zaaktype")))
        if team is None:
            unknown[str(zaak.get("zaaktype") or "(no zaaktype)")][day] += 1
            continue
        counts[team][day] += 1
        props = (
            {str(e.get("naam")): str(e.get("waarde", "")) for e in eigenschappen(zaak)}
            if mapping.needs_eigenschappen
            else {}
        )
        row = {"case_id": case_key(zaak, mapping), "team": team, "received_date": day.isoformat()}
        for column, source in mapping.features.items():
            row[column] = _value(zaak, props, source)
        for column, value in row.items():
            _refuse_bsn(value, "the case key" if column == "case_id" else f"'{column}'", zaak)
        rows.append(row)
    state = state or State(url=url, since=since.isoformat())
    state.since, state.counted_through = first.isoformat(), until.isoformat()
    state.replace_from(start, counts, unknown)
    cases = _merged_cases(out, start, rows, mapping)
    intake = _intake(state, sorted(set(mapping.teams.values())), first, until)
    with staged_output(out) as stage:
        write_csv(intake, stage / INTAKE_FILE)
        read_intake(stage / INTAKE_FILE, today=today)
        if len(cases):  # a cases file needs data rows; without any mapped zaak there is none yet
            write_csv(cases, stage / CASES_FILE)
            read_cases(stage / CASES_FILE)
        (stage / STATE_FILE).write_text(json.dumps(state.__dict__, indent=1, sort_keys=True), encoding="utf-8")
    return ImportResult(
        start=start,
        until=until,
        zaken=seen,
        cases=len(rows),
        unknown={k: sum(v.values()) for k, v in sorted(unknown.items())},
        undated=undated,
        later=later,
        files=tuple(out / f for f in (INTAKE_FILE, CASES_FILE, STATE_FILE) if (out / f).is_file()),
    )


def _merged_cases(out: Path, start: dt.date, rows: list[dict[str, str]], mapping: Mapping) -> pd.DataFrame:
    """Earlier cases received before ``start``, then the cases of this run (a case seen again replaces its row)."""
    columns = ["case_id", "team", "received_date", *mapping.features]
    new = pd.DataFrame(rows, columns=columns)
    path = out / CASES_FILE
    if not path.is_file():
        return new
    old = pd.read_csv(path, dtype=str, keep_default_na=False)
    old = old[(old["received_date"] < start.isoformat()) & ~old["case_id"].isin(new["case_id"])]
    return pd.concat([old.reindex(columns=columns, fill_value=""), new], ignore_index=True)


def _intake(state: State, teams: list[str], first: dt.date, until: dt.date) -> pd.DataFrame:
    days = pd.date_range(first, until, freq="D").strftime("%Y-%m-%d")
    return pd.DataFrame(
        [
            {"series_id": team, "date": day, "value": state.counts.get(team, {}).get(day, 0)}
            for team in teams
            for day in days
        ]
    )
