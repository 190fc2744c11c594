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
        assert f"(top {fit} of 12 reasons)" in text
        chart.styles.height = height + 2  # a taller chart: two more bars
        await pilot.pause()
        await pilot.pause()
        text = _chart_text(chart)
        assert [f"reason {i:02d}" in text for i in range(12)] == [i < fit + 2 for i in range(12)]


@pytest.mark.parametrize("rows", [7, 8, 12, 30])
def test_fewer_reasons_than_rows_are_one_row_each_from_the_top(rows) -> None:
    import re

    from textual_plotext.plot import Plot

    from tui.panes.reasons import ReasonsData, _paint

    plt = Plot()
    plt._limit_size(False, False)  # as in the widget: not capped at the (absent) terminal's size
    plt.plotsize(80, rows + 4)  # the title, the frame and the x axis take four rows
    plt.theme("clear")
    _paint(plt, ReasonsData(REASONS[:6]), rows)
    plot = re.sub(r"\x1b\[[0-9;]*m", "", plt.build()).splitlines()[2 : 2 + rows]
    # Spread over more rows than bars, plotext drew some bars two rows thick (unlabelled rows).
    assert [("█" in line, "reason" in line) for line in plot] == [(True, True)] * 6 + [
        (False, False)
    ] * (rows - 6)
    assert [line.split()[1] for line in plot[:6]] == [f"{i:02d}" for i in range(6)]


def test_a_long_reason_is_cut_with_an_ellipsis_on_the_chart() -> None:
    from tui.panes.reasons import _label

    assert _label("cancel subscription", -5) == "cancel subscripti… ▼ -5"
    assert _label("upgrade", None) == "upgrade –"


async def test_a_chart_is_built_once_until_drawn_again_resized_or_re_themed() -> None:
    from textual.app import App, ComposeResult
    from textual.containers import Vertical
    from textual.widgets import ContentSwitcher, Static

    from tui.widgets.chart import Chart

    class Switched(App[None]):
        CSS = "Chart { height: 10; }"

        def compose(self) -> ComposeResult:
            with ContentSwitcher(initial="charts"):
                with Vertical(id="charts"):
                    yield Chart(id="c")
                yield Static("other", id="other")

    app = Switched()
    async with app.run_test(size=(80, 24)) as pilot:
        chart = app.query_one(Chart)
        builds = 0
        build = chart.plt.build

        def counted() -> str:
            nonlocal builds
            builds += 1
            return build()

        chart.plt.build = counted
        chart.draw(lambda plt: (plt.bar(["a", "b"], [1, 2]), plt.title("first")))
        await pilot.pause()
        assert builds == 1 and "first" in _chart_text(chart)

        # Hidden and shown again at the same size (a pane switched away and back): no new build.
        switcher = app.query_one(ContentSwitcher)
        switcher.current = "other"
        await pilot.pause()
        switcher.current = "charts"
        await pilot.pause()
        chart.refresh()
        await pilot.pause()
        assert builds == 1 and "first" in _chart_text(chart)

        chart.draw(lambda plt: (plt.bar(["a", "b"], [1, 2]), plt.title("second")))
        await pilot.pause()
        assert builds == 2 and "second" in _chart_text(chart)

        chart.styles.height = 12
        await pilot.pause()
        await pilot.pause()
        # Built again for the new size (the resize also paints again: once more, at most).
        assert 3 <= builds <= 4 and len(_chart_text(chart).splitlines()) == 12
        resized = builds

        app.theme = "textual-light"
        await pilot.pause()
        assert builds == resized + 1


def test_the_reasons_title_shortens_to_fit_and_is_never_left_out() -> None:
    import re

    from textual_plotext.plot import Plot

    from tui.panes.reasons import ReasonsData, _paint

    long_names = tuple(r | {"topic": f"cancel subscription {i}"} for i, r in enumerate(REASONS))
    for reasons in (REASONS, long_names):
        for width in range(50, 130, 4):
            plt = Plot()
            plt._limit_size(False, False)
            plt.plotsize(width, 10)
            plt.theme("clear")
            _paint(plt, ReasonsData(reasons), 6, width)
            title = re.sub(r"\x1b\[[0-9;]*m", "", plt.build()).splitlines()[0].strip()
            # Cut to 6 of 12, the title says so at every width it can: plotext used to leave a
            # title too wide out, and with it the count and what ◆ is.
            assert title.startswith(("contacts per reason (top 6 of 12", "top 6 of 12")), (
                width,
                title,
            )


def test_undrawn_segments_follow_plotexts_rows_not_the_values_alone() -> None:
    from tui.widgets.chart import undrawn_segments

    # 0..1,500 over 20 rows: a value v is on row floor(0.5 + 19·v/1500). Voice 1,000 reaches row
    # 13; chat 41 on top of it, 1,041, is still row 13: not drawn; email 40 more, 1,081, row 14.
    assert undrawn_segments([[1000], [41], [40]], 1500, 20) == {1}
    # Over 10 rows both small ones stay on voice's row 6.
    assert undrawn_segments([[1000], [41], [40]], 1500, 10) == {1, 2}
    # A series shown on any one day is drawn; one with nothing at all is not "undrawn".
    assert undrawn_segments([[1000, 100], [41, 400], [0, 0]], 1500, 20) == set()
