"""The scheduled flows as deployments on a Prefect work pool (ADR 0017).

``deploy`` makes the process work pool when it is missing and creates or updates the two
deployments of ``flows.scheduled`` with their cron schedules, so running it again changes nothing
but what was asked. A deployment names its flow by module path (``flows.scheduled.…``): the worker
imports the installed Werkwijzer package, the same code as the image's other services, and Prefect
copies no source. ``prefect worker start --pool NAME`` then runs what the schedules (or a person in
the Prefect UI) start, each run in its own process.

The one setting a deployment carries is the home, as an absolute path (a worker runs each flow in
a temporary folder, where a relative home would be a new, empty one); the stores and every secret
come from the worker's environment, never from Prefect's database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from prefect import Flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId, WorkPoolFilter, WorkPoolFilterName
from prefect.client.schemas.schedules import CronSchedule
from prefect.client.schemas.sorting import FlowRunSort
from prefect.deployments.runner import EntrypointType
from prefect.exceptions import ObjectNotFound
from prefect.schedules import Cron
from prefect.settings import get_current_settings

from flows.scheduled import retrain_forecast, scheduled_monitoring
from werkwijzer.scheduling import MONITOR_CRON, POOL, RETRAIN_CRON, TIMEZONE
from werkwijzer.settings import Settings

DEPLOYMENT = "weekly"


class NoPrefectServer(RuntimeError):
    """PREFECT_API_URL is not set: an ephemeral server keeps no deployments for a worker."""


@dataclass(frozen=True)
class Plan:
    """What ``deploy`` puts on the server: the pool and one cron per scheduled flow."""

    pool: str = POOL
    monitor_cron: str = MONITOR_CRON
    retrain_cron: str = RETRAIN_CRON
    timezone: str = TIMEZONE


@dataclass(frozen=True)
class Deployed:
    """One deployment as the server knows it."""

    name: str  # "<flow>/<deployment>", as `prefect deployment run` takes it
    id: str
    pool: str
    schedules: list[str]  # "cron (time zone)", active ones
    next_run: dt.datetime | None
    last_state: str | None


def api_url() -> str:
    url = get_current_settings().api.url
    if not url:
        raise NoPrefectServer(
            "PREFECT_API_URL is not set: deployments live on a Prefect server; start one "
            "('prefect server start') and set PREFECT_API_URL=http://HOST:4200/api"
        )
    return str(url)


def _flows(plan: Plan) -> list[tuple[Flow, str]]:
    return [(retrain_forecast, plan.retrain_cron), (scheduled_monitoring, plan.monitor_cron)]


async def ensure_pool(name: str) -> bool:
    """Make the process work pool ``name`` unless it exists; True when it was made."""
    from prefect.workers.process import ProcessWorker

    async with get_client() as client:
        try:
            await client.read_work_pool(name)
            return False
        except ObjectNotFound:
            await client.create_work_pool(
                WorkPoolCreate(
                    name=name,
                    type=ProcessWorker.type,
                    description="Werkwijzer: monitoring and retraining",
                    base_job_template=ProcessWorker.get_default_base_job_template(),
                )
            )
            return True


async def deploy(plan: Plan, settings: Settings) -> list[str]:
    """Create or update the pool and the deployments; returns their names ("<flow>/<deployment>")."""
    api_url()
    await ensure_pool(plan.pool)
    names = []
    for flow, cron in _flows(plan):
        deployment = await flow.ato_deployment(
            DEPLOYMENT,
            schedules=[Cron(cron, timezone=plan.timezone, slug="weekly")],
            entrypoint_type=EntrypointType.MODULE_PATH,
            tags=["werkwijzer"],
            description=(flow.description or "").split("\n")[0],
            job_variables={"env": {"WERKWIJZER_HOME": str(settings.home_dir)}},
        )
        await deployment.aapply(work_pool_name=plan.pool)
        names.append(f"{flow.name}/{DEPLOYMENT}")
    return names


def _zone(schedules: list[Any]) -> ZoneInfo:
    """The time zone of the first cron schedule (the one ``deploy`` sets), else UTC."""
    crons = [s.schedule for s in schedules if isinstance(s.schedule, CronSchedule) and s.schedule.timezone]
    return ZoneInfo(str(crons[0].timezone)) if crons else ZoneInfo("UTC")


async def listing(pool: str) -> list[Deployed]:
    """The deployments on ``pool`` with their active schedules, next scheduled run and last run's state."""
    api_url()
    async with get_client() as client:
        await client.read_work_pool(pool)  # ObjectNotFound: say so rather than list nothing
        found = await client.read_deployments(work_pool_filter=WorkPoolFilter(name=WorkPoolFilterName(any_=[pool])))
        flows = {f.id: f.name for f in await client.read_flows()}
        result = []
        for deployment in sorted(found, key=lambda d: (flows.get(d.flow_id, ""), d.name)):
            runs = await client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
                sort=FlowRunSort.START_TIME_DESC,
                limit=20,
            )
            upcoming = [
                r.next_scheduled_start_time
                for r in runs
                if r.state_type and r.state_type.value == "SCHEDULED" and r.next_scheduled_start_time
            ]
            ran = [r for r in runs if r.state_type and r.state_type.value != "SCHEDULED"]
            result.append(
                Deployed(
                    name=f"{flows.get(deployment.flow_id, '?')}/{deployment.name}",
                    id=str(deployment.id),
                    pool=pool,
                    schedules=[
                        f"{s.schedule.cron} ({s.schedule.timezone})"
                        for s in deployment.schedules
                        if s.active and isinstance(s.schedule, CronSchedule)
                    ],
                    next_run=min(upcoming).astimezone(_zone(deployment.schedules)) if upcoming else None,
                    last_state=ran[0].state_name if ran else None,
                )
            )
        return result
