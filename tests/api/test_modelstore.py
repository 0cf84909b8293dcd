"""The model store: loads champions once, picks up a new champion on reload, survives MLflow outages."""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from api.main import _first_load, create_app
from casework.champion_copies import ChampionCopies, CopiedVersion
from casework.config import FORECAST, TRIAGE_EFFORT, TRIAGE_INTEGRATED
from casework.modelstore import ModelStore
from tests.api.conftest import new_case
from tests.api.toymodels import FEATURES, TOY_LIBRARY, register_toy_models
from werkwijzer.settings import Settings
from werkwijzer.tracking import configure_mlflow, set_champion


@pytest.fixture(scope="module")
def registry_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    home = tmp_path_factory.mktemp("store-home")
    # No control share here: these tests read the model version from an advice, which a case in the
    # random control share would not have (the control share has its own tests).
    settings = Settings(home=home, environment="test", database_url=f"sqlite:///{home / 'api.db'}", control_share=0.0)
    register_toy_models(settings, seed=1)
    return settings


def test_reload_loads_a_new_champion_and_skips_unchanged_ones(registry_settings: Settings) -> None:
    store = ModelStore(registry_settings, TOY_LIBRARY)
    heard: list[dict[str, str]] = []
    store.subscribe(heard.append)  # the metrics: told at once, and after every load
    assert {r.status for r in store.reload().values()} == {"loaded"}
    assert (
        heard[0] == {}
        and heard[-1] == store.serving()
        and set(heard[-1]) == {TRIAGE_EFFORT, TRIAGE_INTEGRATED, FORECAST}
    )
    first = store.effort
    assert first is not None and store.reload()[TRIAGE_EFFORT].status == "unchanged" and store.effort is first
    new = register_toy_models(registry_settings, seed=2, names=(TRIAGE_EFFORT,))[TRIAGE_EFFORT]
    result = store.reload()
    assert result[TRIAGE_EFFORT].status == "loaded" and store.effort.version == new != first.version
    assert heard[-1][TRIAGE_EFFORT] == str(new)
    assert result[TRIAGE_INTEGRATED].status == "unchanged"
    assert [v["champion"] for v in _versions(store)] == [True, False]
    client = configure_mlflow(registry_settings)
    forecast_version = store.forecast.version
    client.delete_registered_model_alias(FORECAST, "champion")  # the forecast is withdrawn
    try:
        assert store.reload()[FORECAST].status == "absent" and store.forecast is None
        assert FORECAST not in heard[-1]
        assert store.copies.latest(FORECAST) is None  # withdrawn: a restart during an outage must not serve it
    finally:
        set_champion(client, FORECAST, forecast_version)


def _versions(store: ModelStore) -> list[dict]:
    return [{**v, "champion": v["version"] == store.effort.version} for v in store.versions(TRIAGE_EFFORT)]


class Registry:
    """A client factory with an off switch: while down, every connection attempt fails."""

    def __init__(self, settings: Settings) -> None:
        self.settings, self.up = settings, True

    def __call__(self) -> object:
        if not self.up:
            raise ConnectionError("connection refused")
        from werkwijzer.tracking import configure_mlflow

        return configure_mlflow(self.settings)


def test_mlflow_outage_keeps_serving_what_was_loaded(registry_settings: Settings) -> None:
    registry = Registry(registry_settings)
    store = ModelStore(registry_settings, TOY_LIBRARY, client_factory=registry)
    store.reload()
    version = store.effort.version
    registry.up = False
    results = store.reload()
    assert {r.status for r in results.values()} == {"kept"}
    assert "not reachable" in results[TRIAGE_EFFORT].message and store.effort.version == version
    # A process started while MLflow is down (a restarted worker): the local copy of what this host
    # loaded last, the same version and model, said to be a copy (ADR 0034).
    restarted = ModelStore(registry_settings, TOY_LIBRARY, client_factory=registry)
    results = restarted.reload()
    assert {r.status for r in results.values()} == {"copy"}, results
    assert "local copy of approved version" in results[TRIAGE_EFFORT].message
    for name in (TRIAGE_EFFORT, TRIAGE_INTEGRATED):
        copy, loaded = restarted.triage(name), store.triage(name)
        assert (copy.version, copy.run_id, copy.schema, copy.gates) == (
            loaded.version,
            loaded.run_id,
            loaded.schema,
            loaded.gates,
        )
    assert restarted.forecast.forecast.equals(store.forecast.forecast)
    assert restarted.reload()[TRIAGE_EFFORT].status == "kept"
    registry.up = True
    assert restarted.reload()[TRIAGE_EFFORT].status == "unchanged"  # MLflow back: the same champion
    registry.up = False
    never_loaded = ModelStore(  # a host that never loaded one
        registry_settings, TOY_LIBRARY, client_factory=registry, copies=ChampionCopies(registry_settings.home / "none")
    )
    assert {r.status for r in never_loaded.reload().values()} == {"failed"}
    assert never_loaded.effort is None


def test_the_local_copy_is_whole_or_absent(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Copies are renamed into place: a second worker writing the same version changes nothing, a newer
    version replaces the older one, a broken pointer or an unsafe name is no copy at all."""
    source = tmp_path / "artifacts"
    source.mkdir()
    (source / "model.skops").write_bytes(b"model")
    copies = ChampionCopies(tmp_path / "champions")
    copies.keep("m", SimpleNamespace(version=3, run_id="r3"), {"gate.fairness": "passed"}, source)
    copies.keep("m", SimpleNamespace(version=3, run_id="r3"), {"gate.fairness": "passed"}, source)
    version, path = copies.latest("m")
    assert (
        version == CopiedVersion("3", "r3", {"gate.fairness": "passed"})
        and (path / "model.skops").read_bytes() == b"model"
    )
    copies.keep("m", SimpleNamespace(version=4, run_id="r4"), {}, source)
    assert copies.latest("m")[0].version == "4" and sorted(
        p.name for p in (tmp_path / "champions" / "m").iterdir()
    ) == [
        "current.json",
        "v4",
    ]
    for pointer in ('{"version": "9"}', '{"version": "../../m/v4"}', "{"):  # nothing, outside, broken
        (tmp_path / "champions" / "m" / "current.json").write_text(pointer)
        with caplog.at_level(logging.WARNING, logger="casework.champion_copies"):
            assert copies.latest("m") is None
        assert "no usable local copy of m" in caplog.text  # the operator is told which file (found from outside)
        caplog.clear()
    copies.keep("m", SimpleNamespace(version=4, run_id="r4"), {}, source)
    copies.forget("m")
    assert copies.latest("m") is None and copies.latest("never") is None
    assert "no usable" not in caplog.text  # withdrawn or never loaded: nothing to report
    blocked = ChampionCopies(source / "model.skops")  # the folder is a file
    with caplog.at_level(logging.WARNING, logger="casework.champion_copies"):
        assert blocked.latest("m") is None
    assert "model.skops/m/current.json cannot be read" in caplog.text
    with pytest.raises(ValueError, match="cannot name a folder"):
        copies.latest("../../etc")


def test_start_up_waits_for_champions_that_load_slowly(registry_settings: Settings) -> None:
    """MLflow answers but loading takes longer than the MLflow timeout (a busy machine, several
    workers): the worker serves only once loaded. MLflow that never answers: it serves after the timeout."""
    import time

    def slow(path: Path) -> object:
        time.sleep(1.5)
        return TOY_LIBRARY.load_triage(path)

    quick = registry_settings.model_copy(update={"mlflow_timeout_seconds": 0.3, "model_refresh_seconds": 0})
    app = create_app(quick, library=replace(TOY_LIBRARY, load_triage=slow))
    with TestClient(app):
        assert app.state.store.effort is not None and app.state.store.integrated is not None
    hanging = threading.Event()

    def never_answers() -> object:
        hanging.wait(30)
        raise ConnectionError("no answer")

    try:
        for copies, served in (("none", False), ("champions", True)):  # a first start; a restart (ADR 0034)
            store = ModelStore(
                quick, TOY_LIBRARY, never_answers, copies=ChampionCopies(registry_settings.home / copies)
            )
            began = time.monotonic()
            asyncio.run(_first_load(store, answer_wait=0.3, load_wait=60))
            assert time.monotonic() - began < 5 and (store.effort is not None) is served
            assert (store.forecast is not None) is served
    finally:
        hanging.set()


def test_reload_endpoint_and_models_endpoint(registry_settings: Settings) -> None:
    app = create_app(registry_settings, library=TOY_LIBRARY)  # the store is built and loaded at start-up
    with TestClient(app) as client:
        from casework.clock import utc_now
        from casework.users import create_user, every_team

        with app.state.sessions() as s:
            _, admin = create_user(s, "admin", "admin", utc_now())
            _, owner = create_user(s, "owner", "model_owner", utc_now())
            _, caseworker = create_user(s, "cw", "caseworker", utc_now(), every_team("caseworker"))
        models = client.get("/api/v1/models", headers={"Authorization": f"Bearer {owner}"}).json()
        by_name = {m["name"]: m for m in models["models"]}
        effort = by_name[TRIAGE_EFFORT]
        assert effort["loaded"] and effort["gates"]["fairness"] == "passed" and effort["advice_enabled"]
        assert "markdown" in effort["model_card"] and effort["register_entry"]["standard_version"] == "1.0"
        assert by_name[FORECAST]["advice_enabled"] is None
        assert by_name[FORECAST]["register_entry"]["publication_category"] == "Overige algoritmes"
        new = register_toy_models(registry_settings, seed=3, names=(TRIAGE_EFFORT,))[TRIAGE_EFFORT]
        r = client.post("/api/v1/admin/reload", headers={"Authorization": f"Bearer {admin}"})
        assert r.status_code == 200 and r.json()["results"][TRIAGE_EFFORT] == {
            "status": "loaded",
            "version": new,
            "message": f"loaded version {new}",
        }
        advice = client.post("/api/v1/advice", json=new_case(1), headers={"Authorization": f"Bearer {caseworker}"})
        assert advice.json()["model"]["version"] == new
        # A model owner withdraws the forecast: a decision, not a fault (found from outside: /ready
        # stayed 503 for good, so a probe would take every worker out of rotation, pages and all).
        registry = configure_mlflow(registry_settings)
        forecast_version = app.state.store.forecast.version
        registry.delete_registered_model_alias(FORECAST, "champion")
        try:
            client.post("/api/v1/admin/reload", headers={"Authorization": f"Bearer {admin}"})
            ready = client.get("/ready", headers={"Authorization": f"Bearer {admin}"})
            assert ready.status_code == 200 and ready.json()["without_champion"] == [FORECAST], ready.text
            assert ready.json()["models"][FORECAST] is None and client.get("/ready").json() == {"ready": True}
            app.state.store = ModelStore(  # MLflow down on a host without copies: a fault, not ready
                registry_settings, TOY_LIBRARY, _down, copies=ChampionCopies(registry_settings.home / "none")
            )
            app.state.store.reload()
            ready = client.get("/ready", headers={"Authorization": f"Bearer {admin}"})
            assert ready.status_code == 503 and ready.json()["without_champion"] == []
            assert f"{FORECAST}: no champion loaded" in ready.json()["reasons"]
        finally:
            set_champion(registry, FORECAST, forecast_version)


def _down() -> object:
    raise ConnectionError("connection refused")


def test_a_model_with_a_protected_characteristic_in_its_schema_is_not_served(tmp_path_factory) -> None:
    home = tmp_path_factory.mktemp("protected-home")
    settings = Settings(home=home, environment="test")
    features = [
        *FEATURES,
        {
            "name": "migration_background",
            "kind": "categorical",
            "label_nl": "x",
            "label_en": "x",
            "categories": ["a"],
            "min": None,
            "max": None,
        },
    ]
    register_toy_models(settings, names=(TRIAGE_EFFORT,), trainer=_store_nothing, features=features)
    result = ModelStore(settings, TOY_LIBRARY).reload()[TRIAGE_EFFORT]
    assert result.status == "failed" and "protected characteristics: ['migration_background']" in result.message


def _store_nothing(X, y, schema, path) -> None:  # type: ignore[no-untyped-def]
    path.write_bytes(b"never loaded: the schema is refused first")


def test_every_worker_refreshes_on_its_own_and_the_trail_says_so(registry_settings: Settings) -> None:
    """A reload call reaches one worker; the others pick up a new champion in the background."""
    from sqlalchemy import select

    from casework.clock import utc_now
    from casework.refresh import refresh_once
    from casework.storage import AuditEvent

    app = create_app(registry_settings.model_copy(update={"model_refresh_seconds": 3600}), library=TOY_LIBRARY)
    with TestClient(app):
        assert app.state.refresher.running
        store, sessions = app.state.store, app.state.sessions
        assert refresh_once(store, sessions, utc_now()) == {}  # nothing changed: no audit entry
        old = store.effort.version
        new = register_toy_models(registry_settings, seed=4, names=(TRIAGE_EFFORT,))[TRIAGE_EFFORT]
        changes = refresh_once(store, sessions, utc_now())
        assert changes == {TRIAGE_EFFORT: {"from": old, "to": new, "message": f"loaded version {new}"}}
        assert store.effort.version == new and refresh_once(store, sessions, utc_now()) == {}
        with sessions() as s:
            events = s.execute(select(AuditEvent).where(AuditEvent.kind == "models.refreshed")).scalars().all()
        assert len(events) == 1 and f'"to":"{new}"' in events[0].payload and events[0].actor == "system"
    assert not app.state.refresher.running  # stopped with the app
    off = create_app(registry_settings.model_copy(update={"model_refresh_seconds": 0}), library=TOY_LIBRARY)
    with TestClient(off):
        assert off.state.refresher is None


class Silent:
    """An MLflow client that never gets an answer: every call fails (a timeout, after the retries)."""

    def __init__(self) -> None:
        self.calls = 0

    def __getattr__(self, name: str) -> object:
        def call(*args: object, **kwargs: object) -> object:
            self.calls += 1
            from mlflow.exceptions import MlflowException

            raise MlflowException("API request failed: Read timed out")

        return call


def test_a_reload_asks_a_silent_mlflow_once_not_once_per_model(registry_settings: Settings, tmp_path: Path) -> None:
    """Found from outside: with MLflow accepting connections and never answering, reload took 98 s
    (each model waited for its own timeouts). After the first model gets no answer, the others fall
    back at once."""
    silent = Silent()
    store = ModelStore(registry_settings, TOY_LIBRARY, lambda: silent, copies=ChampionCopies(tmp_path / "c"))
    results = store.reload()
    assert {r.status for r in results.values()} == {"failed"}
    assert silent.calls == 2  # the first model's alias and search; nothing for the other two
    assert "MLflow did not answer" in results[FORECAST].message


def test_stopping_the_refresher_does_not_wait_for_a_silent_mlflow(registry_settings: Settings) -> None:
    """Found from outside: a worker's shutdown took 32 s while the background reload waited for MLflow."""
    import time

    from casework.refresh import Refresher

    hanging, entered = threading.Event(), threading.Event()

    class Hanging(ModelStore):
        def reload(self):  # type: ignore[no-untyped-def]
            entered.set()
            hanging.wait(60)
            return {}

    refresher = Refresher(Hanging(registry_settings, TOY_LIBRARY), None, lambda: None, 0.01)  # type: ignore[arg-type]
    refresher.start()
    try:
        assert entered.wait(10)
        began = time.monotonic()
        refresher.stop()
        assert time.monotonic() - began < 3
    finally:
        hanging.set()
