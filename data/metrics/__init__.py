"""The KPI queries of ../shared/METRICS.md, one module per family.

period (periods, comparison, intervals), filters, sql (shared contact CTE and parameters), volume,
written, quality, overdue, agents, mix, kpis (totals/breakdowns/intervals), report (the JSON object).
"""

from data.metrics.agents import agents
from data.metrics.filters import Filters
from data.metrics.kpis import (
    BY_KEYS,
    EXTRA_KEYS,
    INTERVAL_SIZES,
    SNAPSHOT_KEYS,
    TOTALS_KEYS,
    breakdown,
    intervals,
    totals,
)
from data.metrics.mix import channel_mix, channel_mix_by_day, top_reasons
from data.metrics.overdue import overdue
from data.metrics.period import (
    PERIODS,
    Period,
    comparison_period,
    custom_period,
    default_interval,
    resolve_period,
)
from data.metrics.report import report
from data.metrics.volume import SL_FORMULA_TEXT, queues_now

__all__ = [
    "BY_KEYS",
    "EXTRA_KEYS",
    "INTERVAL_SIZES",
    "PERIODS",
    "SL_FORMULA_TEXT",
    "SNAPSHOT_KEYS",
    "TOTALS_KEYS",
    "Filters",
    "Period",
    "agents",
    "breakdown",
    "channel_mix",
    "channel_mix_by_day",
    "comparison_period",
    "custom_period",
    "default_interval",
    "intervals",
    "overdue",
    "queues_now",
    "report",
    "resolve_period",
    "top_reasons",
    "totals",
]
