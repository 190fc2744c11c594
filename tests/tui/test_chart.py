"""Count axes read in whole numbers."""

from __future__ import annotations

import pytest

from tui.widgets.chart import whole_ticks


@pytest.mark.parametrize(
    ("values", "ticks"),
    [
        ([251, 12], [0, 100, 200, 300]),
        ([7], [0, 2, 4, 6, 8]),
        ([3], [0, 1, 2, 3]),
        ([99], [0, 20, 40, 60, 80, 100]),
        ([0.4], [0, 1]),
        ([], [0, 1]),
        ([0, None], [0, 1]),
    ],
)
def test_ticks_are_whole_steps_from_zero_past_the_largest_value(values, ticks) -> None:
    assert whole_ticks(values) == ticks


def test_never_more_than_a_few_steps_whatever_the_scale() -> None:
    for top in (1, 9, 11, 47, 480, 5_001, 123_456):
        ticks = whole_ticks([top])
        assert ticks[0] == 0 and ticks[-1] >= top > ticks[-2]
        assert 2 <= len(ticks) <= 7
        assert all(isinstance(t, int) for t in ticks)


REASONS = tuple(
    {"topic": f"reason {i:02d}", "contacts": 90 - i * 5, "comparison_contacts": 80, "change": 1}
    for i in range(12)
)


def _chart_text(chart) -> str:
    return chart.render().plain


@pytest.mark.parametrize("height", [8, 11, 14])
async def test_reason_bars_are_as_many_as_the_chart_has_rows_and_follow_a_resize(height) -> None:
    from textual.app import App, ComposeResult

    from tui.panes.reasons import ReasonsData, _paint
    from tui.widgets.chart import Chart

    class One(App[None]):
        CSS = f"Chart {{ height: {height}; }}"

        def compose(self) -> ComposeResult:
            yield Chart(id="c")

    app = One()
    async with app.run_test(size=(100, 30)) as pilot:
        chart = app.query_one(Chart)
        data = ReasonsData(REASONS)
        chart.draw(lambda plt: _paint(plt, data, chart.bar_rows))
        await pilot.pause()
        fit = height - 4
        text = _chart_text(chart)
        # The top `fit` reasons each have their row and label; none is drawn over another.
        assert [f"reason {i:02d}" in text for i in range(12)] == [i < fit for i in range(12)]
        assert f"top {fit} of 12" in text
        chart.styles.height = height + 2  # a taller chart: two more bars
        await pilot.pause()
        await pilot.pause()
        text = _chart_text(chart)
        assert [f"reason {i:02d}" in text for i in range(12)] == [i < fit + 2 for i in range(12)]


def test_a_long_reason_is_cut_with_an_ellipsis_on_the_chart() -> None:
    from tui.panes.reasons import _label

    assert _label("cancel subscription", -5) == "cancel subscripti… ▼ -5"
    assert _label("upgrade", None) == "upgrade –"
