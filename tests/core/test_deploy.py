"""The packaging, read rather than run: there is no Docker engine on these machines (docs/deploy.md).

What can be checked without one: every Werkwijzer setting the compose file sets exists, secrets come
from the environment, the image is multi-stage, installs the tested set and runs as a non-root user.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from werkwijzer.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
SECRETS = ("WERKWIJZER_SECRET_KEY", "WERKWIJZER_AUDIT_KEY", "WERKWIJZER_METRICS_TOKEN", "POSTGRES_PASSWORD")


def _environments() -> list[dict[str, str]]:
    services = COMPOSE["services"].values()
    return [service.get("environment") or {} for service in services]


def test_the_stack_has_every_component_of_the_guide() -> None:
    assert set(COMPOSE["services"]) == {
        "postgres",
        "mlflow",
        "prefect-server",
        "schedule-deploy",
        "prefect-worker",
        "dask-scheduler",
        "dask-worker",
        "api",
        "proxy",
    }
    assert COMPOSE["services"]["dask-worker"]["deploy"]["replicas"] == 2


def test_a_prefect_worker_runs_the_deployments_that_a_one_shot_service_makes() -> None:
    """The same commands as tests/flows/test_scheduled.py runs: schedule deploy, then a worker on its pool."""
    services = COMPOSE["services"]
    deploy, worker = services["schedule-deploy"], services["prefect-worker"]
    assert deploy["command"][:4] == ["schedule", "deploy", "--pool", "werkwijzer"] and deploy["restart"] == "no"
    assert worker["entrypoint"] == ["prefect"] and worker["command"][:4] == ["worker", "start", "--pool", "werkwijzer"]
    assert worker["depends_on"]["schedule-deploy"] == {"condition": "service_completed_successfully"}
    assert not any("--cron" in str(service.get("command")) for service in services.values())  # no serve runner left


def test_every_werkwijzer_variable_is_a_setting() -> None:
    fields = {f"WERKWIJZER_{name.upper()}" for name in Settings.model_fields}
    named = {key for env in _environments() for key in env if key.startswith("WERKWIJZER_")}
    assert named and named <= fields, named - fields


def test_secrets_come_from_the_environment_and_are_required() -> None:
    text = (ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8")
    for secret in SECRETS:
        assert re.search(rf"\$\{{{secret}:\?", text), f"{secret} must be ${{{secret}:?…}}"
    for env in _environments():
        for key, value in env.items():
            if any(word in key for word in ("KEY", "TOKEN", "PASSWORD")):
                assert "${" in str(value), f"{key} is written into the file"


def test_the_api_runs_in_production_behind_a_tls_proxy_that_hides_metrics() -> None:
    api = COMPOSE["services"]["api"]
    assert api["environment"]["WERKWIJZER_ENVIRONMENT"] == "production"
    assert "ports" not in api  # only the proxy is reachable from outside
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    assert "reverse_proxy api:8000" in caddyfile and "respond /metrics 404" in caddyfile


def test_the_image_is_multi_stage_non_root_and_installs_the_tested_set() -> None:
    stages = re.findall(r"^FROM \S+", DOCKERFILE, re.MULTILINE)
    assert len(stages) == 2
    final = DOCKERFILE[DOCKERFILE.rindex("\nFROM ") :]
    assert "build-essential" not in final and "COPY --from=build /opt/werkwijzer" in final
    assert re.search(r"^USER werkwijzer$", final, re.MULTILINE)
    assert "pip install -c requirements.lock ." in DOCKERFILE
