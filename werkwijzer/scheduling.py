"""When the scheduled flows run by default (ADR 0017): one place for ``werkwijzer schedule deploy``
and the deployments it makes (``flows.deployments``)."""

POOL = "werkwijzer"
TIMEZONE = "Europe/Amsterdam"
MONITOR_CRON = "0 6 * * 1"  # Monday 06:00: the past week's use, before the teams start
RETRAIN_CRON = "0 3 * * 1"  # Monday 03:00: a new forecast with last week's intake, before monitoring
