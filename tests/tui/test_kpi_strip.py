"""The KPI strip in narrow terminals: the change shortens (the arrow carries the sign), labels
shorten, cells never wrap and always read apart."""

from __future__ import annotations

import re

import pytest
from rich.text import Text

from data.config import Threshold
from tests.tui.conftest import loaded
from tui.app import make_app
from tui.widgets.kpi_strip import KPIS, KpiCell, KpiStrip, _coarse, _compact, change


@pytest.mark.parametrize(
    ("delta", "compact"),
    [
        ("▲ +1,234", "▲1,234"),
        ("▼ -17m42s", "▼17m42s"),
        ("▼ -4.4pt", "▼4.4pt"),
        ("= +0", "= +0"),  # no change: nothing to shorten
        ("now", "now"),
        ("vs –", "vs –"),
    ],
)
def test_compact_change_drops_the_sign_the_arrow_already_gives(delta, compact):
    out = _compact(Text(delta, style="red"))
    assert out.plain == compact and out.style == "red"


@pytest.mark.parametrize(
    ("delta", "coarse"),
    [("▼4.4pt", "▼4pt"), ("▲11.7pt", "▲12pt"), ("▲1,234", "▲1,234"), ("▼17m42s", "▼17m42s")],
)
def test_coarse_change_gives_points_to_the_whole_point(delta, coarse):
    out = _coarse(Text(delta, style="green"))
    assert out.plain == coarse and out.style == "green"


async def test_figures_that_arrive_before_the_cells_show_once_they_are_there() -> None:
    from textual.app import App

    from tui.widgets.kpi_strip import KpiStrip

    strip = KpiStrip()
    strip.show({"offered": 1234, "answered": 1200}, {"offered": 1000})  # not mounted: no cells
    assert strip.values == {}

    class Host(App[None]):
        def compose(self):
            yield strip

    async with Host().run_test() as pilot:
        await pilot.pause()
        assert strip.values["offered"] == "1,234"
        strip.remove_children()
        await pilot.pause()
        strip.show({"offered": 5}, {})  # cells gone (the app closing): kept, not an error
        assert strip.values["offered"] == "1,234"


# ---- the strip as drawn at 150, 80 and 60 columns -------------------------------------------------

MARKED = [
    Threshold(kpi="waiting_now", warning=2, critical=10),  # 3: warning
    Threshold(kpi="longest_wait_s", warning=60, critical=120),  # 10m00s: critical
    Threshold(kpi="service_level", direction="below", warning=0.99, critical=0.1),  # warning
    Threshold(kpi="overdue", warning=0),  # warning, in the Open/overdue cell
]


def rows_of(app, strip: KpiStrip) -> list[tuple[str, str, list[KpiCell]]]:
    """Each row of cells as drawn: (label line, value line, its cells left to right)."""
    lines = ["".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()]
    cells = sorted(strip.query(KpiCell), key=lambda c: (c.region.y, c.region.x))
    out = []
    for y in sorted({c.region.y for c in cells}):
        row = [c for c in cells if c.region.y == y]
        left, right = strip.region.x, strip.region.right
        out.append((lines[y][left:right], lines[y + 1][left:right], row))
    return out


@pytest.mark.parametrize("size", [(150, 40), (80, 24), (60, 20)])
async def test_cells_read_apart_and_a_label_never_wraps_into_the_values(
    tui_store, tui_cfg, folder, clock, size
):
    """At 80 columns cells filled to their last column with one space between them, so two cells
    read as one; at 60 'Longest wait' and 'Open/overdue' wrapped into the value row; at 150 a
    marked value's change wrapped out of the cell, unseen."""
    cfg = tui_cfg.model_copy(update={"thresholds": MARKED})
    app = make_app(tui_store, cfg, folder, clock=clock)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        strip = app.query_one(KpiStrip)
        assert strip.marks["longest_wait_s"] == "‼" and strip.marks["open"] == "!"
        for labels, values, cells in rows_of(app, strip):
            # Cells apart: two spaces or more between cells, never inside one.
            label_parts = re.split(r" {2,}", labels.strip())
            value_parts = re.split(r" {2,}", values.strip())
            where = (size, labels, values)
            assert len(label_parts) == len(value_parts) == len(cells), where
            for cell, label, value in zip(cells, label_parts, value_parts, strict=True):
                kpi = cell.kpi
                assert label in (kpi.label, *kpi.shorter), where  # whole, on its own line
                mark = strip.marks[kpi.key]
                assert value.startswith(f"{mark} " * bool(mark) + strip.values[kpi.key]), where


@pytest.mark.parametrize(
    ("key", "now", "before", "shown"),
    [
        ("aht_s", 174.2, 174.6, "= +0s"),  # rounds to no change: not '▼ -0s'
        ("aht_s", 174.0, 175.0, "▼ -1s"),
        ("service_level", 0.8004, 0.8, "= +0.0pt"),
        ("offered", 12, 12, "= +0"),
    ],
)
def test_a_change_too_small_to_show_reads_as_none(key, now, before, shown) -> None:

    kpi = next(k for k in KPIS if k.key == key)
    assert change(kpi, {key: now}, {key: before}).plain == shown
