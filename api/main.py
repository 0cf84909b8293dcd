"""The app factory: wires settings, storage, the model store, the clock and the random source.

Start-up never waits long for an MLflow that does not answer: the champions are loaded on a
thread, first from the local copies of the champions (ADR 0034), then from MLflow. When MLflow
has not answered within ``settings.mlflow_timeout_seconds`` the app serves with the copies (with
none, advice answers 503 with the reason; the loading goes on and the refresher tries again).
Once MLflow answered, or while the copies load, the worker waits, at most
``settings.model_load_seconds`` more: a worker on a busy machine does not serve 503s beside one
that is already loaded. On shutdown the advice queue refuses new requests and finishes the ones
it holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import random
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api.core.limits import BodyLimit
from api.core.logs import use_json_logs
from api.core.metrics import Observed, metrics_endpoint, publish_held, publish_loaded
from api.errors import install_handlers
from api.routes import advice, governance, health, outcomes, teams
from api.web import install_pages
from casework.advice import RandomSource
from casework.advice_queue import AdviceQueue
from casework.checkpoints import CheckpointWriter
from casework.clock import utc_now
from casework.config import API_PREFIX, Settings, get_settings
from casework.db import WalCheckpointer, make_engine, migrate, session_factory, sqlite_file
from casework.modelstore import ModelLibrary, ModelStore, limit_mlflow_waits
from casework.refresh import Refresher


async def _first_load(store: ModelStore, answer_wait: float, load_wait: float) -> None:
    """Load the local copies of the champions, then ask MLflow, on a thread. Serve once that is done;
    or once the copies are loaded and MLflow has not answered within ``answer_wait`` seconds; at the
    latest ``answer_wait + load_wait`` seconds after the start."""
    loop = asyncio.get_running_loop()
    loaded = asyncio.Event()
    copied = threading.Event()

    def load() -> None:
        try:
            store.load_copies()
            copied.set()
            store.reload()
        finally:
            copied.set()
            with contextlib.suppress(RuntimeError):  # the app stopped before MLflow answered
                loop.call_soon_threadsafe(loaded.set)

    threading.Thread(target=load, name="werkwijzer-first-load", daemon=True).start()
    start = loop.time()
    while not loaded.is_set():
        waited = loop.time() - start
        if waited >= answer_wait + load_wait:
            return
        if waited >= answer_wait and copied.is_set() and not store.answered.is_set():
            return  # MLflow does not answer: serve with the copies, the loading goes on
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(loaded.wait(), 0.1)


def create_app(
    settings: Settings | None = None,
    model_store: ModelStore | None = None,
    *,
    library: ModelLibrary | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    rng: RandomSource | None = None,
) -> FastAPI:
    """Build the service. A given ``model_store`` is used as is; otherwise one is loaded at start-up."""
    settings = settings or get_settings()
    engine = make_engine(settings.database, background_checkpoints=True, wait_seconds=settings.db_wait_seconds)
    if model_store is None:
        limit_mlflow_waits(settings)
    store = model_store or ModelStore(settings, library)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        migrate(engine)
        app.state.advice_queue.open()
        database_file = sqlite_file(engine)
        checkpointer = WalCheckpointer(database_file) if database_file else None
        if checkpointer is not None:
            checkpointer.start()
        app.state.checkpointer = checkpointer
        refresher = None
        if model_store is None:
            await _first_load(store, settings.mlflow_timeout_seconds, settings.model_load_seconds)
            if settings.model_refresh_seconds:
                refresher = Refresher(store, app.state.sessions, app.state.clock, settings.model_refresh_seconds)
                refresher.start()
        app.state.refresher = refresher
        audit_checkpoints = CheckpointWriter(
            engine,
            settings.audit_checkpoint_file,
            settings.audit_signing_key,
            settings.audit_checkpoint_seconds,
            app.state.clock,
        )
        audit_checkpoints.start()
        app.state.audit_checkpoints = audit_checkpoints
        gc.collect()
        gc.freeze()  # what start-up loaded lives as long as the process: no collector passes over it
        yield
        await app.state.advice_queue.close(settings.shutdown_seconds)
        audit_checkpoints.stop()  # after the queue: the last checkpoint covers what it finished
        if refresher is not None:
            refresher.stop()
        if checkpointer is not None:
            checkpointer.stop()
        engine.dispose()

    # FastAPIOffline: /docs and /redoc load their scripts from this app (packaged assets), not from a CDN
    app = FastAPIOffline(
        title="Werkwijzer",
        version="1",
        lifespan=lifespan,
        description="Advisory triage and workload forecasts. The model advises; a person decides.",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.store = store
    app.state.clock = clock or utc_now
    app.state.rng = rng or random.SystemRandom()
    app.state.advice_queue = AdviceQueue(app.state.sessions, store, settings, app.state.rng)
    app.state.advice_queue.watch = publish_held
    store.subscribe(publish_loaded)
    app.state.token_cache = {}
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(Observed)  # outermost: a request id and a count for every answer, a 413 too
    if settings.log_format == "json":
        use_json_logs()
    app.add_api_route("/metrics", metrics_endpoint, include_in_schema=False)
    install_handlers(app)
    app.include_router(health.router)
    for router in (advice.router, teams.router, governance.router, outcomes.router):  # advice first: matched first
        app.include_router(router, prefix=API_PREFIX)
    install_pages(app)
    return app
