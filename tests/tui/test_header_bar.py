"""The header line at widths a team lead meets: what gives way when it does not fit."""

from __future__ import annotations

from rich.text import Text

from tui.widgets.header_bar import HeaderBar

RIGHT = "Thu 15:28:00 CET │ updated 4 s ago"


def fit(site: str, scope: str, width: int, demo: bool = True) -> str:
    badge = Text(" DEMO  " if demo else "")
    return HeaderBar._fit(badge, Text(site), Text(scope), Text(RIGHT), width).plain


def test_everything_shows_when_it_fits() -> None:
    line = fit("Northwind Support (simulated)", " │ Today", 120)
    assert line == f" DEMO  Northwind Support (simulated) │ Today │ {RIGHT}"


def test_the_site_name_gives_way_before_the_period_and_filters() -> None:
    line = fit("Northwind Support (simulated)", " │ Today │ queue: billing", 80)
    assert len(line) <= 80
    assert " │ Today │ queue: billing │ " in line and line.endswith(RIGHT)
    assert "Northwind" in line and "…" in line  # cut, not dropped: there is room for some of it


def test_with_no_room_for_the_site_it_goes_and_the_period_and_filters_stay() -> None:
    scope = " │ Today │ queue: chat-sales-tier2"  # 5 columns left for the site
    line = fit("Northwind Support (simulated)", scope, 80)
    assert len(line) <= 80 and line.endswith(RIGHT)
    assert line.startswith(f" DEMO  {scope} │ ") and "Northwind" not in line
    filters = " │ Last 30 days │ channel: chat │ team: Aurora │ queue: billing-tier-2"
    line = fit("Northwind Support (simulated)", filters, 80)  # too long even alone: cut, at last
    assert len(line) <= 80 and line.endswith(RIGHT)
    assert line.startswith(" DEMO   │ Last 30 days │ channel: chat") and "…" in line


def test_the_wall_note_gives_way_after_the_site_and_before_the_period() -> None:
    note = "‼ 2 critical · ! 3 warning"
    badge, scope = Text(" DEMO  "), Text(" │ Today")
    kept = badge.cell_len + scope.cell_len
    for width in (120, 80, 70, 60, 40):
        right = HeaderBar._with_note(Text(note), Text(RIGHT), width, kept)
        line = HeaderBar._fit(badge.copy(), Text("Northwind"), scope.copy(), right, width).plain
        assert len(line) <= width and line.endswith(RIGHT), (width, line)
        assert (" │ Today │ " in line) == (width >= 60), (width, line)  # the period stays
        assert ("‼" in line) == (width >= 70), (width, line)  # the note, cut, while it fits
        assert ("Northwind" in line) == (width >= 120), (width, line)  # the site goes first
    wide = HeaderBar._with_note(Text(note), Text(RIGHT), 120).plain
    assert wide == f"{note} │ {RIGHT}"


async def header(width: int, view) -> str:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from textual.app import App, ComposeResult

    now = datetime(2026, 3, 10, 14, 18, 47, tzinfo=UTC)

    class One(App):
        def compose(self) -> ComposeResult:
            yield HeaderBar("Northwind Support (simulated)", True, ZoneInfo("Europe/Paris"), 300)

    app = One()
    async with app.run_test(size=(width, 3)) as pilot:
        bar = app.query_one(HeaderBar)
        bar.show(view, now, now)
        await pilot.pause()
        return bar.plain


async def test_at_80_columns_every_filter_shows_without_its_name_before_anything_is_cut() -> None:
    from tui.view import View

    view = View(queue="chat-support", channel="email", team="Digital")
    wide = await header(160, view)
    assert "queue: chat-support │ channel: email │ team: Digital" in wide
    assert wide.endswith("Tue 15:18:47 CET │ updated 0 s ago")
    narrow = await header(80, view)
    assert len(narrow) <= 80, narrow
    # The site name is cut first; every filter shows whole.
    assert (
        " │ Today │ chat-support │ email │ Digital │ " in narrow
        and "…" not in narrow.split("Today")[1]
    )
    assert narrow.endswith("15:18 CET │ 0 s ago")  # the clock and freshness, shorter
