"""The champion models the service advises with, loaded from the MLflow registry (ADR 0003).

At start-up and on ``reload`` the store downloads each champion's artifacts once, loads the
estimator, builds its explainer once, and swaps the new bundle in atomically. When MLflow cannot
be reached the store keeps serving what it loaded before and says so in the reload report; a
process that loaded nothing yet serves the local copy of the champion this host loaded last
(``casework.champion_copies``, ADR 0034). A model with neither is ``None``: callers answer 503
with a plain reason, never a guess.

The model code (``models.triage``, ``explain.case``, ``explain.narrative``, ``models.capacity``)
is reached through a :class:`ModelLibrary` whose defaults import it lazily, so tests can inject
their own and the API layer stays importable on its own.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from casework.champion_copies import ChampionCopies
from casework.config import FORECAST, TRIAGE_EFFORT, TRIAGE_INTEGRATED
from werkwijzer.settings import Settings
from werkwijzer.vocabulary import never_feature_reason

log = logging.getLogger(__name__)


def limit_mlflow_waits(settings: Settings) -> None:
    """MLflow's HTTP client retries for minutes by default; this process waits seconds, and retries
    ``settings.mlflow_max_retries`` times (an operator's own ``MLFLOW_HTTP_*`` variables win)."""
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", str(max(1, round(settings.mlflow_timeout_seconds))))
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", str(settings.mlflow_max_retries))
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", "0.5")


def _load_triage(path: Path) -> Any:
    from models.triage import load_model

    return load_model(path)


def _make_explainer(model: Any, background: pd.DataFrame, schema: dict[str, Any]) -> Any:
    from explain.case import CaseExplainer

    return CaseExplainer(model, background, schema)


def _citizen_explanation(reasons: list[dict[str, Any]], team: str, decided_by_person: bool, lang: str) -> str:
    from explain.case import Reason
    from explain.narrative import citizen_explanation

    return citizen_explanation([Reason(**r) for r in reasons], team, decided_by_person, lang=lang)


def _plan_capacity(
    forecast: pd.DataFrame, norms: pd.DataFrame, staffing: pd.DataFrame, **scenario: Any
) -> pd.DataFrame:
    from models.capacity import plan_capacity

    return plan_capacity(forecast, norms, staffing, **scenario)


@dataclass(frozen=True)
class ModelLibrary:
    """The model code the service calls; the defaults import it lazily."""

    load_triage: Callable[[Path], Any] = _load_triage
    make_explainer: Callable[[Any, pd.DataFrame, dict[str, Any]], Any] = _make_explainer
    citizen_explanation: Callable[[list[dict[str, Any]], str, bool, str], str] = _citizen_explanation
    plan_capacity: Callable[..., pd.DataFrame] = _plan_capacity


@dataclass(frozen=True)
class TriageBundle:
    name: str
    version: str
    run_id: str
    model: Any
    explainer: Any
    schema: dict[str, Any]
    gates: dict[str, Any]
    model_card: dict[str, Any]
    register_entry: dict[str, Any]
    loaded_at: dt.datetime
    fairness: list[dict[str, Any]] = field(default_factory=list)  # the published per-group table

    @property
    def features(self) -> list[dict[str, Any]]:
        return list(self.schema.get("features", []))


@dataclass(frozen=True)
class ForecastBundle:
    name: str
    version: str
    run_id: str
    forecast: pd.DataFrame
    history: pd.DataFrame
    norms: pd.DataFrame | None
    staffing: pd.DataFrame | None
    backtest: list[dict[str, Any]]
    gates: dict[str, Any]
    loaded_at: dt.datetime
    # SHAP drivers per series (mean contribution in cases per period; see ``_drivers``), and the
    # model ``auto`` chose per series: the drivers come from the global boosting model.
    drivers: pd.DataFrame | None = None
    choice: dict[str, str] = field(default_factory=dict)
    register_entry: dict[str, Any] = field(default_factory=dict)  # the run's own Algoritmeregister entry


@dataclass(frozen=True)
class LoadResult:
    status: str  # loaded | unchanged | kept | copy | absent | failed
    version: str | None
    message: str


@dataclass
class _State:
    bundles: dict[str, TriageBundle | ForecastBundle] = field(default_factory=dict)
    versions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    absent: frozenset[str] = frozenset()  # MLflow's last answer: no champion (withdrawn or never approved)


def _gates(tags: Mapping[str, str], path: Path) -> dict[str, Any]:
    gates: dict[str, Any] = {k[5:]: v for k, v in tags.items() if k.startswith("gate.")}
    if (path / "gates.json").is_file():
        gates.setdefault("details", json.loads((path / "gates.json").read_text(encoding="utf-8")))
    return gates


def _json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _records(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    frame = pd.read_csv(path)
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def _drivers(path: Path) -> pd.DataFrame | None:
    """Per series and driver, the mean contribution per period over the horizon and the number of
    periods, from ``drivers.csv``; None when the run has none (no boosting model). Summarised
    once at load, so a page view only filters a small table."""
    from explain.forecast_drivers import DRIVER_COLUMNS, by_driver

    if not path.is_file():
        return None
    long = pd.read_csv(path, dtype={"series_id": str}, parse_dates=["date"])
    if long.empty or not set(DRIVER_COLUMNS) <= set(long.columns):
        return None
    return (
        by_driver(long)
        .groupby(["series_id", "driver", "label_nl", "label_en"], as_index=False)
        .agg(mean_contribution=("contribution", "mean"), periods=("date", "nunique"))
    )


def _choice(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    frame = pd.read_csv(path, dtype=str)
    return dict(zip(frame["series_id"], frame["model"], strict=True))


class ModelStore:
    """Holds the loaded champions; safe to read from many threads while a reload runs."""

    def __init__(
        self,
        settings: Settings,
        library: ModelLibrary | None = None,
        client_factory: Callable[[], Any] | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        copies: ChampionCopies | None = None,
    ) -> None:
        self.settings = settings
        self.library = library or ModelLibrary()
        self._client_factory = client_factory or self._default_client
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._state = _State()
        self._reload_lock = threading.Lock()
        self.copies = copies or ChampionCopies(settings.home / "champions")
        self.answered = threading.Event()  # MLflow answered a registry question (start-up waits for the load then)
        self._heard = False  # MLflow answered about the model being loaded (under the reload lock)
        self._listeners: list[Callable[[dict[str, str]], None]] = []

    def _default_client(self) -> Any:
        from werkwijzer.tracking import configure_mlflow

        return configure_mlflow(self.settings)

    # -- reading -------------------------------------------------------------------------
    def triage(self, name: str) -> TriageBundle | None:
        bundle = self._state.bundles.get(name)
        return bundle if isinstance(bundle, TriageBundle) else None

    def triage_pair(self) -> tuple[TriageBundle | None, TriageBundle | None]:
        """Effort and integrated-approach bundles from one state, never half a reload."""
        bundles = self._state.bundles
        effort, integrated = bundles.get(TRIAGE_EFFORT), bundles.get(TRIAGE_INTEGRATED)
        return (
            effort if isinstance(effort, TriageBundle) else None,
            integrated if isinstance(integrated, TriageBundle) else None,
        )

    @property
    def effort(self) -> TriageBundle | None:
        return self.triage(TRIAGE_EFFORT)

    @property
    def integrated(self) -> TriageBundle | None:
        return self.triage(TRIAGE_INTEGRATED)

    @property
    def forecast(self) -> ForecastBundle | None:
        bundle = self._state.bundles.get(FORECAST)
        return bundle if isinstance(bundle, ForecastBundle) else None

    def versions(self, name: str) -> list[dict[str, Any]]:
        return list(self._state.versions.get(name, []))

    def serving(self) -> dict[str, str]:
        """Model name -> version of every champion this process serves now."""
        return {name: str(bundle.version) for name, bundle in self._state.bundles.items()}

    def subscribe(self, listener: Callable[[dict[str, str]], None]) -> None:
        """Call ``listener`` with :meth:`serving` now and after every load (the metrics: each worker
        reports its champions when they change, not only when it is the one a scrape reaches)."""
        if listener not in self._listeners:  # one store may serve several apps (tests)
            self._listeners.append(listener)
        listener(self.serving())

    def _swap(self, state: _State) -> None:
        self._state = state
        serving = self.serving()
        for listener in list(self._listeners):
            try:
                listener(serving)
            except Exception:  # reporting must never undo or block a load
                log.exception("a listener of the model store failed")

    def without_champion(self, name: str) -> bool:
        """MLflow's last answer was that ``name`` has no champion: no model owner approved one, or
        it was withdrawn. A decision, not a fault: advice from it is off, and the service is ready."""
        return name in self._state.absent

    # -- loading -------------------------------------------------------------------------
    def reload(self) -> dict[str, LoadResult]:
        """Load each champion that changed; keep the old one when anything goes wrong."""
        with self._reload_lock:
            bundles = dict(self._state.bundles)
            versions = dict(self._state.versions)
            results: dict[str, LoadResult] = {}
            try:
                client = self._client_factory()
            except Exception as exc:
                log.warning("MLflow not reachable: %s", exc)
                client, reason = None, f"MLflow not reachable: {exc}"
            for name in (TRIAGE_EFFORT, TRIAGE_INTEGRATED, FORECAST):
                if client is None:
                    results[name] = self._fallback(name, bundles, reason)
                    continue
                self._heard = False
                try:
                    results[name] = self._load_one(client, name, bundles)
                    versions[name] = self._list_versions(client, name)
                except Exception as exc:
                    log.warning("loading %s failed: %s", name, exc)
                    results[name] = self._fallback(name, bundles, f"{type(exc).__name__}: {exc}")
                    if not self._heard:  # no answer at all: do not wait for MLflow again for each other model
                        client, reason = None, f"MLflow did not answer: {type(exc).__name__}: {exc}"
            absent = frozenset(name for name, result in results.items() if result.status == "absent")
            self._swap(_State(bundles=bundles, versions=versions, absent=absent))
            return results

    def _fallback(self, name: str, bundles: dict[str, TriageBundle | ForecastBundle], message: str) -> LoadResult:
        """MLflow gave no champion: keep what this process loaded before, else serve the local copy
        this host loaded last (ADR 0034), else nothing."""
        if name in bundles:
            version = bundles[name].version
            return LoadResult("kept", version, f"still serving version {version}; {message}")
        result = self._copied(name, bundles, message)
        if result.status == "copy":
            log.warning("%s: %s", name, result.message)
        return result

    def load_copies(self) -> dict[str, LoadResult]:
        """Load the local copy of each champion not loaded yet (at start-up, before MLflow is asked:
        a worker whose MLflow does not answer serves these; ``reload`` replaces or withdraws them)."""
        with self._reload_lock:
            bundles = dict(self._state.bundles)
            results = {
                name: self._copied(name, bundles, "until MLflow answers")
                for name in (TRIAGE_EFFORT, TRIAGE_INTEGRATED, FORECAST)
                if name not in bundles
            }
            for name, result in results.items():
                if result.status == "copy":
                    log.info("%s: %s", name, result.message)
            self._swap(_State(bundles=bundles, versions=dict(self._state.versions), absent=self._state.absent))
            return results

    def _copied(self, name: str, bundles: dict[str, TriageBundle | ForecastBundle], message: str) -> LoadResult:
        found = self.copies.latest(name)
        if found is None:
            return LoadResult("failed", None, message)
        copied, path = found
        try:
            bundles[name] = self._bundle(name, copied, copied.tags, path)
        except Exception as exc:
            log.warning("the local copy of %s version %s cannot be loaded: %s", name, copied.version, exc)
            return LoadResult("failed", None, f"{message}; the local copy of version {copied.version}: {exc}")
        return LoadResult(
            "copy", copied.version, f"serving the local copy of approved version {copied.version}; {message}"
        )

    def _bundle(self, name: str, version: Any, tags: dict[str, str], path: Path) -> TriageBundle | ForecastBundle:
        if name == FORECAST:
            return self._forecast_bundle(name, version, tags, path)
        return self._triage_bundle(name, version, tags, path)

    def _load_one(self, client: Any, name: str, bundles: dict[str, TriageBundle | ForecastBundle]) -> LoadResult:
        from werkwijzer.tracking import champion_version

        version = champion_version(client, name)
        if version is None:
            client.search_registered_models(max_results=1)  # raises when MLflow is unreachable
            self._heard = True
            self.answered.set()
            bundles.pop(name, None)
            try:
                self.copies.forget(name)  # withdrawn: a restart must not bring it back from the copy
            except OSError as exc:
                log.error("the local copy of withdrawn %s could not be removed: %s", name, exc)
            return LoadResult("absent", None, f"no champion registered for {name}")
        self._heard = True
        self.answered.set()
        current = bundles.get(name)
        if current is not None and current.version == str(version.version):
            return LoadResult("unchanged", current.version, "already loaded")
        tags = dict(version.tags or {})
        with tempfile.TemporaryDirectory(prefix="werkwijzer-model-") as tmp:
            path = Path(client.download_artifacts(version.run_id, "forecast" if name == FORECAST else "triage", tmp))
            bundles[name] = self._bundle(name, version, tags, path)
            try:
                self.copies.keep(name, version, tags, path)
            except OSError as exc:  # a full or read-only disk: serving goes on, only a restart misses the copy
                log.warning("no local copy of %s version %s: %s", name, version.version, exc)
        return LoadResult("loaded", str(version.version), f"loaded version {version.version}")

    def _triage_bundle(self, name: str, version: Any, tags: dict[str, str], path: Path) -> TriageBundle:
        if not (path / "schema.json").is_file():
            raise ValueError(f"{name} version {version.version}: schema.json is missing")
        schema = _json(path / "schema.json")
        if not schema.get("features"):
            raise ValueError(f"{name} version {version.version}: schema.json has no features")
        named = set(schema.get("protected", []))
        protected = sorted(
            f["name"] for f in schema["features"] if f["name"] in named or never_feature_reason(f["name"])
        )
        if protected:  # responsible-ai item 10: refuse to serve such a model at all
            raise ValueError(f"{name} version {version.version} uses protected characteristics: {protected}")
        model = self.library.load_triage(path / "model.skops")
        background = pd.read_parquet(path / "background.parquet")
        explainer = self.library.make_explainer(model, background, schema)
        card = _json(path / "model_card.json")
        if (path / "model_card.md").is_file():
            card = {**card, "markdown": (path / "model_card.md").read_text(encoding="utf-8")}
        return TriageBundle(
            name=name,
            version=str(version.version),
            run_id=str(version.run_id),
            model=model,
            explainer=explainer,
            schema=schema,
            gates=_gates(tags, path),
            model_card=card,
            register_entry=_json(path / "algoritmeregister.json"),
            loaded_at=self._clock(),
            fairness=_records(path / "fairness.csv"),
        )

    def _forecast_bundle(self, name: str, version: Any, tags: dict[str, str], path: Path) -> ForecastBundle:
        from werkwijzer.contracts import read_norms, read_staffing
        from werkwijzer.io import unguarded

        forecast, history = (
            pd.read_csv(path / file, parse_dates=["date"], dtype={"series_id": str}).assign(
                series_id=lambda f: unguarded(f["series_id"])
            )  # a team named like a formula: its own name
            for file in ("forecast.csv", "history.csv")
        )
        norms = read_norms(path / "norms.csv") if (path / "norms.csv").is_file() else None
        staffing = read_staffing(path / "staffing.csv") if (path / "staffing.csv").is_file() else None
        backtest = (
            pd.read_csv(path / "backtest_summary.csv").to_dict(orient="records")
            if (path / "backtest_summary.csv").is_file()
            else []
        )
        return ForecastBundle(
            name=name,
            version=str(version.version),
            run_id=str(version.run_id),
            forecast=forecast,
            history=history,
            norms=norms,
            staffing=staffing,
            backtest=backtest,
            gates=_gates(tags, path),
            loaded_at=self._clock(),
            drivers=_drivers(path / "drivers.csv"),
            choice=_choice(path / "auto_choice.csv"),
            register_entry=_json(path / "algoritmeregister.json"),
        )

    @staticmethod
    def _list_versions(client: Any, name: str) -> list[dict[str, Any]]:
        found = client.search_model_versions(f"name='{name}'")
        return [
            {
                "version": str(v.version),
                "aliases": list(getattr(v, "aliases", []) or []),
                "run_id": str(v.run_id),
                "gates": {k[5:]: t for k, t in (v.tags or {}).items() if k.startswith("gate.")},
                "comparison": {k[11:]: t for k, t in (v.tags or {}).items() if k.startswith("comparison.")},
                "approval": {k[9:]: t for k, t in (v.tags or {}).items() if k.startswith("approval.")},  # ADR 0019
            }
            for v in sorted(found, key=lambda v: int(v.version), reverse=True)
        ]
