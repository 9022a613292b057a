"""Processing-time figures from histograms: pure functions, no I/O.

A histogram is a list of (days, cases): how many cases took that many whole days. The
figures are the count, the median and the 80th percentile (nearest rank: the smallest
number of days that at least that share of the cases took), suppressed below a minimum
number of cases so that nothing can be told about individual applications.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

Histogram = tuple[tuple[int, int], ...]


def histogram(rows: Iterable[tuple[int, int]]) -> Histogram:
    """(days, cases) rows, summed per day and sorted."""
    totals: dict[int, int] = {}
    for days, cases in rows:
        totals[days] = totals.get(days, 0) + cases
    return tuple(sorted((d, c) for d, c in totals.items() if c > 0))


def count(hist: Histogram) -> int:
    return sum(cases for _, cases in hist)


def quantile(hist: Histogram, share: float) -> int | None:
    """The smallest number of days that at least `share` of the cases took (nearest rank)."""
    total = count(hist)
    if total == 0:
        return None
    rank = max(1, math.ceil(share * total))
    seen = 0
    for days, cases in hist:
        seen += cases
        if seen >= rank:
            return days
    return hist[-1][0]


@dataclass(frozen=True)
class Figures:
    """Count, median and 80th percentile in days; all None when suppressed."""

    is_suppressed: bool
    count: int | None
    median_days: int | None
    p80_days: int | None


def figures(hist: Histogram, minimum_cases: int) -> Figures:
    total = count(hist)
    if total < max(1, minimum_cases):
        return Figures(True, None, None, None)
    return Figures(False, total, quantile(hist, 0.5), quantile(hist, 0.8))


def within_share(within: int, decided: int, minimum_cases: int) -> float | None:
    """The share of decided cases within the typical processing time; None when suppressed."""
    if decided < max(1, minimum_cases):
        return None
    return within / decided


class ExpectedSource(StrEnum):
    """Where an expected processing time comes from."""

    STATISTICS = "STATISTICS"
    CATALOGUE = "CATALOGUE"


def expected_days(
    decision: Figures, customer_wait: Figures, catalogue_days: int
) -> tuple[int, ExpectedSource]:
    """Expected days from submission to decision: the median decision time plus the median
    wait for the customer when there are enough cases, else the catalogue's typical days."""
    if decision.is_suppressed or decision.median_days is None:
        return catalogue_days, ExpectedSource.CATALOGUE
    return decision.median_days + (customer_wait.median_days or 0), ExpectedSource.STATISTICS


def month_start(day: date) -> date:
    return day.replace(day=1)


def window_start(today: date, months: int) -> date:
    """The first day of the window: the current month and the `months - 1` before it."""
    index = today.year * 12 + today.month - 1 - (max(1, months) - 1)
    return date(index // 12, index % 12 + 1, 1)
