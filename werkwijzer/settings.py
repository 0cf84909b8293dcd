"""One settings object for the whole service, read from ``WERKWIJZER_*`` environment variables.

The embedded default writes everything under ``WERKWIJZER_HOME`` (default ``./.werkwijzer``):
the MLflow SQLite store and artifacts, the API's SQLite database and generated data. Each can
be pointed at a server instead (``WERKWIJZER_MLFLOW_TRACKING_URI``,
``WERKWIJZER_DATABASE_URL``). No usable secret is in the source: without
``WERKWIJZER_SECRET_KEY`` (and ``WERKWIJZER_AUDIT_KEY``) a random key is made on first use and kept
in its own file under the home (``werkwijzer.keys``); production refuses to start without a
secret key of at least 32 characters, because several machines must share it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from werkwijzer.keys import MIN_LENGTH, kept_key
from werkwijzer.privacy import MIN_CELL

# The development default of earlier versions, published in the source: refused everywhere, because a
# cookie signed with it was accepted on a served demo.
PUBLISHED_SECRET = "development-only-secret-change-me"
_kept = lru_cache(maxsize=16)(kept_key)  # read once per process: the pages ask for the key on every request


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WERKWIJZER_", env_file=None, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    home: Path = Field(default=Path(".werkwijzer"), description="Folder for everything the embedded setup writes.")

    # Tracking and registry (MLflow). Empty means: SQLite and local artifacts under `home`.
    mlflow_tracking_uri: str | None = None
    mlflow_artifact_root: str | None = None
    # Where people open the MLflow UI (`mlflow ui`); the model pages link each run there.
    mlflow_ui_url: str = "http://127.0.0.1:5000"
    # Four eyes (ADR 0019): the person who trained a model version may not approve it. On everywhere by
    # default; switch off only where one person both trains and answers for the models.
    four_eyes: bool = True

    # API storage. Empty means: SQLite (WAL) under `home`.
    database_url: str | None = None
    # Signs the pages' session cookies. Empty: a random key kept in <home>/secret_key (refused in production).
    secret_key: str | None = Field(default=None, repr=False)

    # Orchestration: local task runner by default, a Dask cluster when an address is given.
    dask_address: str | None = None
    dask_local_workers: int = Field(default=0, ge=0, description="Start a LocalCluster with this many workers.")

    # Calendar used for holiday features and simulation.
    country: str = "NL"
    subdiv: str | None = None
    school_region: Literal["Noord", "Midden", "Zuid"] = "Midden"

    seed: int = 20261126

    # Triage: choose the glass-box model unless the other beats it by more than this ROC AUC margin.
    glassbox_preference_margin: float = Field(default=0.02, ge=0.0, le=1.0)
    # Fairness gate: band for ratios of the priority metrics against the reference group.
    fairness_ratio_low: float = Field(default=0.8, gt=0.0)
    fairness_ratio_high: float = Field(default=1.25, gt=0.0)
    # Small cells (responsible-ai item 14): a municipality may suppress more, never less.
    fairness_min_cell: int = Field(default=MIN_CELL, ge=MIN_CELL)
    # A ratio outside the band counts only when the rates also differ by at least this much
    # (practical significance: 0.5 % vs 1.5 % is a ratio of 3 but not a finding on its own).
    fairness_min_difference: float = Field(default=0.05, ge=0.0, le=1.0)
    # Proxy scan: a feature that predicts a protected characteristic with at least this
    # Cramér's V (categorical) or |AUC - 0.5| * 2 (numeric) is blocked without justification.
    proxy_threshold: float = Field(default=0.3, ge=0.0, le=1.0)

    # Capacity page: a week is at risk when the chance of breaching the statutory term reaches this.
    breach_risk_threshold: float = Field(default=0.2, gt=0.0, le=1.0)

    # Human in the loop.
    control_share: float = Field(default=0.05, ge=0.0, le=0.5, description="Share of cases that get no advice.")
    retention_days: int = Field(default=400, ge=183, description="Audit retention: at least six months.")
    # Advisory API: main reasons shown per advice.
    advice_reasons: int = Field(default=5, ge=1, le=20, description="Main reasons shown with an advice.")
    # Each API worker looks for newly approved champions this often (0: only on a reload call), so a
    # reload reaches every worker, not just the one that answered the call.
    model_refresh_seconds: int = Field(default=60, ge=0, le=86_400)
    # Each API worker remembers a valid token for this long (0: look it up on every request), so a
    # revoked or deactivated user can keep working for at most this many seconds (docs/api.md).
    token_cache_seconds: float = Field(default=5.0, ge=0.0, le=300.0)
    # Bounded work (docs/api.md, "Limits"): nothing a request waits for may wait long, and nothing it
    # sends may be unbounded. A request that would wait longer gets a 503 with the reason and Retry-After.
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1_024,
        le=1_073_741_824,
        description="Largest request body in bytes; a larger one is refused with 413.",
    )
    db_wait_seconds: float = Field(
        default=5.0, gt=0.0, le=120.0, description="Longest wait for the database (a lock, a connection) on a request."
    )
    advice_queue_limit: int = Field(
        default=512, ge=1, le=100_000, description="Advice requests one worker holds at once; more get 503."
    )
    shutdown_seconds: float = Field(
        default=8.0, gt=0.0, le=300.0, description="On SIGTERM a worker finishes what it holds for at most this long."
    )
    # MLflow calls of the API (start-up and model refresh) fail fast instead of retrying for minutes.
    mlflow_timeout_seconds: float = Field(default=5.0, gt=0.0, le=600.0)
    # 5 + 50 s stays inside the 60 s that uvicorn gives a new worker of a rolling restart (cli/service.py).
    model_load_seconds: float = Field(
        default=50.0,
        ge=0.0,
        le=3600.0,
        description="Once MLflow answered at start-up, a worker waits this long for the champions before it serves.",
    )
    mlflow_max_retries: int = Field(default=1, ge=0, le=10)

    # Operations (docs/deploy.md): GET /metrics needs `Authorization: Bearer <metrics_token>` when set;
    # log lines as JSON with a request id (json) or as plain text (text).
    metrics_token: str | None = Field(default=None, repr=False)
    log_format: Literal["text", "json"] = "text"

    # Access (docs/api.md, "Authenticate"): a token expires this many days after it was issued
    # (`werkwijzer users create` or `users rotate`); pages and API refuse it from then on.
    token_ttl_days: int = Field(default=90, ge=1, le=3650)

    # Organisation facts used when no governance.yaml is supplied (documented defaults to replace).
    organization: str = "Gemeente Voorbeeldstad"
    contact_email: str = "algoritmes@voorbeeldstad.nl"
    website: str = "https://www.voorbeeldstad.nl/algoritmes"
    # The Algoritmekader as data (MinBZK task registry) for `werkwijzer evidence` (ADR 0018); empty:
    # ../shared/standards/task-registry beside the checkout when present, else the copy in the package.
    task_registry_path: Path | None = None

    # Monitoring (docs/monitoring.md): three levels per metric, note < warn < stop. A value at or beyond
    # a threshold reaches that level; "stop" switches the model's advice off. A stop of None never stops.
    monitoring_min_n: int = Field(default=50, ge=1, description="Fewer rows than this in a scope: no signal.")
    monitoring_window_days: int = Field(
        default=28,
        ge=1,
        le=366,
        description="A monitoring pass looks at this many days before it; "
        "the override surge compares them with the days before.",
    )
    psi_bins: int = Field(default=10, ge=2)
    psi_note: float = Field(default=0.1, ge=0.0)
    psi_warn: float = Field(default=0.2, ge=0.0)
    psi_stop: float | None = Field(default=0.3, ge=0.0)
    # Forecast error: sMAPE per team (higher is worse) and share of actuals inside the 95 % band (lower is worse),
    # judged only over at least this many weeks.
    forecast_min_weeks: int = Field(default=8, ge=1)
    forecast_smape_note: float = Field(default=0.20, ge=0.0)
    forecast_smape_warn: float = Field(default=0.35, ge=0.0)
    forecast_smape_stop: float | None = Field(default=0.50, ge=0.0)
    forecast_coverage95_note: float = Field(default=0.85, ge=0.0, le=1.0)
    forecast_coverage95_warn: float = Field(default=0.75, ge=0.0, le=1.0)
    forecast_coverage95_stop: float | None = Field(default=0.60, ge=0.0, le=1.0)
    # Automation bias: share of decisions that follow the advice (suspiciously high = rubber-stamping).
    agreement_note: float = Field(default=0.95, ge=0.0, le=1.0)
    agreement_warn: float = Field(default=0.98, ge=0.0, le=1.0)
    agreement_stop: float | None = Field(default=1.0, ge=0.0, le=1.0)
    # Override surge: rise of the override rate against the baseline period, in shares (0.10 = 10 points).
    override_surge_note: float = Field(default=0.10, ge=0.0, le=1.0)
    override_surge_warn: float = Field(default=0.20, ge=0.0, le=1.0)
    override_surge_stop: float | None = Field(default=0.35, ge=0.0, le=1.0)
    # Live fairness: a ratio r against the reference group reaches a level when max(r, 1/r) >= the factor.
    fairness_note_factor: float = Field(default=1.25, ge=1.0)
    fairness_warn_factor: float = Field(default=1.5, ge=1.0)
    fairness_stop_factor: float | None = Field(default=2.0, ge=1.0)
    # Live error rates from outcomes (issue 17 part 2): the rise of a group's FPR, FNR or FDR over the
    # test-set figure the gate approved, in shares (0.10 = 10 points); a signal only when the live rate is
    # significantly higher (one-sided two-proportion z-test at error_rise_alpha, Bonferroni over the pass).
    error_rise_alpha: float = Field(default=0.05, gt=0.0, lt=1.0)
    error_rise_note: float = Field(default=0.05, ge=0.0, le=1.0)
    error_rise_warn: float = Field(default=0.10, ge=0.0, le=1.0)
    error_rise_stop: float | None = Field(default=0.20, ge=0.0, le=1.0)
    # Objections per advice given.
    objection_rate_note: float = Field(default=0.02, ge=0.0, le=1.0)
    objection_rate_warn: float = Field(default=0.05, ge=0.0, le=1.0)
    objection_rate_stop: float | None = Field(default=None, ge=0.0, le=1.0)
    # Anchoring (issue 17, ADR 0021): how much more often the decision equals the model's suggestion when
    # it is shown than when it is hidden (control share), in shares (0.10 = 10 points). A level counts only
    # when the interval at anchoring_confidence (simultaneous over the scopes of one pass) lies above zero.
    anchoring_note: float = Field(default=0.05, ge=0.0, le=1.0)
    anchoring_warn: float = Field(default=0.15, ge=0.0, le=1.0)
    anchoring_stop: float | None = Field(default=0.30, ge=0.0, le=1.0)
    anchoring_confidence: float = Field(default=0.95, gt=0.5, lt=1.0)

    # Protected characteristics of live cases, for the fairness audit only: a separate file kept
    # by the audit function, never sent to or stored by the API. Empty: <home>/audit/characteristics.csv.
    characteristics_path: Path | None = None

    # Forecast flow: series are split into this many batches (tasks) per model; Dask LocalCluster
    # workers run as processes (True) or threads (False).
    forecast_batches: int = Field(default=8, ge=1)
    dask_processes: bool = True
    # A local cluster whose workers are all gone fails the waiting tasks after this many seconds
    # (distributed's no-workers-timeout) instead of waiting forever.
    dask_no_workers_timeout: float = Field(default=300, gt=0)

    # Audit trail (ADR 0012): signed checkpoints of the chain's head, kept outside the database.
    # The key that signs them; empty: a random key kept in <home>/audit_key. Never stored in the database.
    audit_key: str | None = Field(default=None, repr=False)
    # The append-only checkpoint file, one per database; empty: <home>/audit_checkpoints.jsonl.
    audit_checkpoint_path: Path | None = None
    # Each API worker appends a checkpoint this often when the chain's head moved (and once at shutdown).
    audit_checkpoint_seconds: float = Field(default=1.0, gt=0.0, le=3600.0)

    # Dutch standards (issue 16): the Algoritmeregister submission API and a ZGW Zaken API. Secrets come
    # from the environment only, never from a command line (where `ps` shows them).
    # OAuth2 bearer token of `register publish` (the register's Keycloak issues it).
    register_token: str | None = Field(default=None, repr=False)
    # `import zgw`: the client id and secret that sign its ZGW JWT (HS256), as the Zaken API knows them.
    zgw_client_id: str | None = None
    zgw_secret: str | None = Field(default=None, repr=False)
    # Attempts after the first when a service answers 429 or 5xx, or cannot be reached.
    service_retries: int = Field(default=3, ge=0, le=10)

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        if self.secret_key == PUBLISHED_SECRET:
            raise ValueError(
                "WERKWIJZER_SECRET_KEY is the development default published in the source; "
                "remove it (a key is then made in the home) or set a random one"
            )
        if self.environment == "production" and (self.secret_key is None or len(self.secret_key) < MIN_LENGTH):
            raise ValueError(
                f"WERKWIJZER_SECRET_KEY must be set in production, at least {MIN_LENGTH} characters "
                "and the same on every machine (e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')"
            )
        if self.audit_key is not None and len(self.audit_key) < MIN_LENGTH:
            raise ValueError(f"WERKWIJZER_AUDIT_KEY must be at least {MIN_LENGTH} characters")
        if self.fairness_ratio_low >= self.fairness_ratio_high:
            raise ValueError("fairness_ratio_low must be below fairness_ratio_high")
        self._check_monitoring_levels()
        return self

    def _check_monitoring_levels(self) -> None:
        """note, warn and stop must escalate: rising for higher-is-worse metrics, falling for coverage."""
        for metric in (
            "psi",
            "forecast_smape",
            "agreement",
            "override_surge",
            "fairness",
            "objection_rate",
            "error_rise",
            "forecast_coverage95",
        ):
            suffix = "_factor" if metric == "fairness" else ""
            note, warn, stop = (getattr(self, f"{metric}_{level}{suffix}") for level in ("note", "warn", "stop"))
            levels = [note, warn] + ([stop] if stop is not None else [])
            rising = metric != "forecast_coverage95"
            if levels != sorted(levels, reverse=not rising):
                order = "note <= warn <= stop" if rising else "note >= warn >= stop"
                raise ValueError(f"monitoring thresholds for {metric} must satisfy {order}, got {levels}")

    @property
    def home_dir(self) -> Path:
        path = self.home.expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def session_secret(self) -> str:
        """The key that signs session cookies: ``WERKWIJZER_SECRET_KEY``, else the one kept in the home."""
        return self.secret_key or _kept(self.home_dir / "secret_key")

    @property
    def audit_signing_key(self) -> bytes:
        """The key that signs audit checkpoints: ``WERKWIJZER_AUDIT_KEY``, else the one kept in the home."""
        return (self.audit_key or _kept(self.home_dir / "audit_key")).encode("utf-8")

    @property
    def audit_checkpoint_file(self) -> Path:
        if self.audit_checkpoint_path is not None:
            return self.audit_checkpoint_path.expanduser().resolve()
        return self.home_dir / "audit_checkpoints.jsonl"

    @property
    def tracking_uri(self) -> str:
        if self.mlflow_tracking_uri:
            return self.mlflow_tracking_uri
        return f"sqlite:///{self.home_dir / 'mlflow.db'}"

    @property
    def artifact_root(self) -> str:
        if self.mlflow_artifact_root:
            return self.mlflow_artifact_root
        return (self.home_dir / "mlartifacts").as_uri()

    @property
    def database(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home_dir / 'werkwijzer.db'}"

    @property
    def characteristics_file(self) -> Path:
        if self.characteristics_path is not None:
            return self.characteristics_path.expanduser().resolve()
        return self.home_dir / "audit" / "characteristics.csv"

    @property
    def data_dir(self) -> Path:
        path = self.home_dir / "data"
        path.mkdir(parents=True, exist_ok=True)
        return path


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own ``Settings`` and pass it in."""
    return Settings()
