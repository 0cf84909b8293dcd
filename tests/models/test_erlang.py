"""Erlang C against the textbook case and its own definitions."""

from __future__ import annotations

import math

import pytest

from models.erlang import erlang_c, erlang_c_agents, service_level


def test_textbook_case() -> None:
    # 100 calls per 30 minutes, 3 minutes handling, 80 % answered within 20 seconds
    assert erlang_c_agents(100, 180, 1800, 0.80, 20) == 14
    assert erlang_c_agents(100, 180, 1800, 0.80, 20, shrinkage=0.30) == 20


def test_fourteen_is_the_smallest_that_meets_the_target() -> None:
    assert service_level(14, 10.0, 180, 20) >= 0.80 > service_level(13, 10.0, 180, 20)
    assert service_level(14, 10.0, 180, 20) == pytest.approx(0.8884, abs=1e-3)


def test_erlang_c_small_case_by_hand() -> None:
    # one agent, 0.5 Erlang: P(wait) = A = 0.5 (M/M/1)
    assert erlang_c(1, 0.5) == pytest.approx(0.5)
    # two agents, one Erlang: C = (A^2/2! * 2/(2-1)) / (1 + A + A^2/2! * 2) = 1 / 3
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert service_level(1, 0.5, 60, 0) == pytest.approx(0.5)
    assert service_level(1, 0.5, 60, 60) == pytest.approx(1 - 0.5 * math.exp(-0.5))


def test_edge_cases() -> None:
    assert erlang_c_agents(0, 180, 1800, 0.8, 20) == 0
    with pytest.raises(ValueError):
        erlang_c_agents(10, 0, 1800, 0.8, 20)
    with pytest.raises(ValueError):
        erlang_c_agents(10, 180, 1800, 1.2, 20)
