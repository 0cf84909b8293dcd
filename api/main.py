"""The app factory: wires settings, storage, the model store, the clock and the random source."""

from __future__ import annotations

import datetime as dt
import gc
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api.core.config import API_PREFIX, Settings, get_settings
from api.core.db import WalCheckpointer, make_engine, migrate, session_factory, sqlite_file
from api.errors import install_handlers
from api.modelstore import ModelLibrary, ModelStore
from api.routes import advice, governance, health, teams
from api.services.advice import RandomSource
from api.services.advice_queue import AdviceQueue
from api.services.clock import utc_now
from api.services.refresh import Refresher
from api.web import install_pages


def create_app(settings: Settings | None = None, model_store: ModelStore | None = None, *,
               library: ModelLibrary | None = None, clock: Callable[[], dt.datetime] | None = None,
               rng: RandomSource | None = None) -> FastAPI:
    """Build the service. A given ``model_store`` is used as is; otherwise one is loaded at start-up."""
    settings = settings or get_settings()
    engine = make_engine(settings.database, background_checkpoints=True)
    store = model_store or ModelStore(settings, library)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        migrate(engine)
        database_file = sqlite_file(engine)
        checkpointer = WalCheckpointer(database_file) if database_file else None
        if checkpointer is not None:
            checkpointer.start()
        app.state.checkpointer = checkpointer
        refresher = None
        if model_store is None:
            store.reload()
            if settings.model_refresh_seconds:
                refresher = Refresher(store, app.state.sessions, app.state.clock, settings.model_refresh_seconds)
                refresher.start()
        app.state.refresher = refresher
        gc.collect()
        gc.freeze()  # what start-up loaded lives as long as the process: no collector passes over it
        yield
        if refresher is not None:
            refresher.stop()
        if checkpointer is not None:
            checkpointer.stop()
        engine.dispose()

    # FastAPIOffline: /docs and /redoc load their scripts from this app (packaged assets), not from a CDN
    app = FastAPIOffline(title="Werkwijzer", version="1", lifespan=lifespan,
                  description="Advisory triage and workload forecasts. The model advises; a person decides.")
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.store = store
    app.state.clock = clock or utc_now
    app.state.rng = rng or random.SystemRandom()
    app.state.advice_queue = AdviceQueue(app.state.sessions, store, settings, app.state.rng)
    app.state.token_cache = {}
    install_handlers(app)
    app.include_router(health.router)
    for router in (advice.router, teams.router, governance.router):  # advice first: matched first
        app.include_router(router, prefix=API_PREFIX)
    install_pages(app)
    return app
