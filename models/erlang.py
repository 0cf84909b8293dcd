"""Erlang C: how many agents a contact centre needs per interval for a service level.

Calls arrive at random (Poisson) and wait in one queue for ``n`` agents. With traffic
``A = calls x handling time / interval`` (in Erlangs), the chance a call has to wait is
Erlang C, and the share answered within ``t`` seconds is ``1 - C(n, A) exp(-(n - A) t / aht)``.
Shrinkage (breaks, training, absence) is the share of paid time agents are not available:
the scheduled head count is ``ceil(agents / (1 - shrinkage))``.
"""

from __future__ import annotations

import math


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a call has to wait, for ``agents`` agents and ``traffic`` Erlangs."""
    if agents <= traffic:
        return 1.0
    term = 1.0  # A^k / k!, computed iteratively to stay stable for large agent counts
    total = 1.0
    for k in range(1, agents):
        term *= traffic / k
        total += term
    top = term * traffic / (agents - traffic)  # A^n / n! x n / (n - A)
    return top / (total + top)


def service_level(agents: int, traffic: float, aht_seconds: float, target_answer_seconds: float) -> float:
    """Share of calls answered within ``target_answer_seconds``."""
    if agents <= traffic:
        return 0.0
    wait = erlang_c(agents, traffic)
    return 1.0 - wait * math.exp(-(agents - traffic) * target_answer_seconds / aht_seconds)


def erlang_c_agents(
    calls_per_interval: float,
    aht_seconds: float,
    interval_seconds: float,
    target_service_level: float,
    target_answer_seconds: float,
    shrinkage: float = 0.0,
) -> int:
    """Agents to schedule so that ``target_service_level`` of calls wait at most
    ``target_answer_seconds``, grossed up for ``shrinkage``."""
    if calls_per_interval < 0 or aht_seconds <= 0 or interval_seconds <= 0:
        raise ValueError("calls must be >= 0 and handling time and interval > 0")
    if not 0 < target_service_level < 1 or not 0 <= shrinkage < 1:
        raise ValueError("target_service_level must be in (0, 1) and shrinkage in [0, 1)")
    if calls_per_interval == 0:
        return 0
    traffic = calls_per_interval * aht_seconds / interval_seconds
    agents = max(1, math.floor(traffic) + 1)
    while service_level(agents, traffic, aht_seconds, target_answer_seconds) < target_service_level:
        agents += 1
    return math.ceil(agents / (1.0 - shrinkage) - 1e-9)
