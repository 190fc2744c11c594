"""The contact screen: one contact's timeline (queue events or messages, each with the wait before
it), its outcome, SLA due times and whether they were met, rating and comment.

Customer identifiers and message text appear only here; `m` masks them (for screen sharing), and
they are always masked in wall mode."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Static

from data.config import Config
from data.metrics.detail import ContactTimeline, contact_timeline
from data.text import visible
from tui import fmt
from tui.screens.drill import DrillScreen, OpenAgent
from tui.view import View
from tui.widgets.key_footer import KeyFooter
from tui.widgets.search_table import Col, SearchTable

SLA_STYLE = {"met": "green", "missed": "bold red", "overdue": "bold red", "pending": "yellow"}
SLA_MARK = {"met": "✓ met", "missed": "✗ missed", "overdue": "⚠ overdue", "pending": "◔ pending"}
TEXT_WIDTH = 200


def _times(events: list[dict[str, Any]]) -> dict[int, str]:
    """Each event's time (site zone): the time of day, with the date too when the contact's events
    span more than one day (an email answered the next morning)."""
    stamps = [e.get("at") for e in events]
    days = {s.date() for s in stamps if isinstance(s, datetime)}
    layout = "%d %b %H:%M:%S" if len(days) > 1 else "%H:%M:%S"
    return {
        i: s.strftime(layout) if isinstance(s, datetime) else fmt.DASH for i, s in enumerate(stamps)
    }


def _gap(value: Any) -> str:
    return fmt.DASH if value is None else "+" + fmt.dur(value)


def _when(value: Any) -> str:
    return value.strftime("%a %d %b %H:%M:%S") if isinstance(value, datetime) else fmt.DASH


def _one_line(value: Any) -> str:
    text = " ⏎ ".join(str(value).splitlines())
    return text if len(text) <= TEXT_WIDTH else text[: TEXT_WIDTH - 1] + "…"


class ContactScreen(DrillScreen):
    BINDINGS: ClassVar = [
        *DrillScreen.BINDINGS,
        Binding(
            "a",
            "agent",
            "Agent",
            id="contact-agent",
            tooltip="Contact screen: the agent screen of this contact's agent",
        ),
        # A contact is one contact whatever the period or filters: say where they apply rather
        # than change them unseen (the footer offered them, and nothing here showed the change).
        Binding("p", "not_here('period')", "Period", show=False),
        Binding("f", "not_here('filters')", "Filters", show=False),
    ]

    def action_not_here(self, what: str) -> None:
        verb = "applies" if what == "period" else "apply"
        self.notify(
            f"The {what} {verb} to the panes and the agent screen: esc to go back to them",
            markup=False,
        )

    def __init__(self, contact_id: str) -> None:
        super().__init__()
        self.contact_id = contact_id
        self.data: ContactTimeline | None = None

    @property
    def key(self) -> str:
        return self.contact_id

    def compose(self) -> ComposeResult:
        yield Static("", id="contact-title", markup=False)
        with Horizontal(id="contact-top"):
            yield Static("", id="contact-facts", markup=False)
            yield Static("", id="contact-sla", markup=False)
        yield SearchTable(self._columns(), id="contact-timeline")
        yield Static("", id="contact-message", markup=False)
        yield KeyFooter()

    def _columns(self) -> tuple[Col, ...]:
        return (
            Col("at_shown", "Time", sortable=False),
            Col("gap_s", "Wait", _gap, numeric=True),
            Col("who_shown", "Who"),
            Col("what", "Event"),
            Col("detail", "Detail"),
            Col("text", "Text", lambda v: "" if v is None else _one_line(self.private(v))),
        )

    def on_mount(self) -> None:
        self.query_one(SearchTable).focus()

    # ---- data -------------------------------------------------------------------------------
    def fetch(self, cur: Any, cfg: Config, view: View, now: datetime) -> ContactTimeline | None:
        return contact_timeline(cur, cfg, self.contact_id, now)

    def show(self, data: ContactTimeline | None) -> None:
        self.data = data
        self.redraw()

    def redraw(self) -> None:
        d = self.data
        title = self.query_one("#contact-title", Static)
        if d is None:
            title.update(
                Text(f" Contact {visible(self.contact_id)}: not found · esc back", style="bold")
            )
            return
        c = d.contact
        # The queue's name as the panes show it (config's queue_names), not the phone system's id.
        queue = self.app.config.queue_names.get(c["queue"], c["queue"]) if c["queue"] else None
        title.update(
            Text.assemble(
                (" Contact ", "reverse"),
                " ",
                # the id as its own system writes it (T-1042), as the Overdue pane shows it
                (visible(str(c.get("source_id") or c["contact_id"])), "bold"),
                visible(f" · {c['channel']} · queue {queue or fmt.DASH} · "),
                (str(c["eo"]), "bold"),
                ("   m mask · a agent · esc back", "dim"),
                ("   MASKED", "bold yellow") if self.masked else "",
                no_wrap=True,
                overflow="ellipsis",
            )
        )
        self.query_one("#contact-facts", Static).update(self._facts(c))
        self.query_one("#contact-sla", Static).update(_sla(d))
        times = _times(d.events)
        rows = [
            e | {"who_shown": self._who(e), "at_shown": times[i]} for i, e in enumerate(d.events)
        ]
        self.query_one(SearchTable).set_rows(rows)
        self._show_message()

    def _who(self, e: dict[str, Any]) -> str:
        who = e.get("who") or ""
        if e.get("who_private"):
            return self.private(who).plain
        return self.app.config.agent_names.get(who, who)

    def _facts(self, c: dict[str, Any]) -> Table:
        names = self.app.config.agent_names
        agent = c["agent"]
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(overflow="fold")
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(overflow="fold")
        rating = fmt.DASH if c["rating"] is None else f"{c['rating']:g}/5"
        rows = [
            ("Customer", self.private(c["customer"]), "Agent", fmt.text(names.get(agent, agent))),
            ("Offered", Text(_when(c["offered_at"])), "Wait", Text(fmt.dur(c["wait_s"]))),
            ("Answered", Text(_when(c["answered_at"])), "Handle", Text(fmt.dur(c["handle_s"]))),
            ("Ended", Text(_when(c["ended_at"])), "Outcome", fmt.text(c["eo"])),
            (
                "Topic",
                fmt.text(c["topic"]),
                "Transferred",
                Text("yes" if c["transferred"] else "no"),
            ),
            ("Rating", Text(rating), "Comment", self.private(c["rating_comment"])),
        ]
        for row in rows:
            grid.add_row(*row)
        return grid

    def _show_message(self) -> None:
        """The full text of the highlighted row (the table shows one line of it)."""
        table = self.query_one(SearchTable)
        rows = table.shown
        row = rows[table.cursor_row] if 0 <= table.cursor_row < len(rows) else None
        text = row.get("text") if row else None
        box = self.query_one("#contact-message", Static)
        box.update(self.private(text) if text else Text(""))
        box.set_class(bool(text), "-active")

    @on(DataTable.RowHighlighted, "#contact-timeline")
    def _highlighted(self) -> None:
        self._show_message()

    def action_agent(self) -> None:
        agent = self.data.contact.get("agent") if self.data else None
        if agent:
            self.post_message(OpenAgent([agent]))
        else:
            self.notify("No agent handled this contact")


def _sla(d: ContactTimeline) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    for s in d.sla:
        state = s["state"]
        grid.add_row(
            s["kind"].capitalize(),
            Text(f"due {_when(s['due'])}" if s["due"] else "no target"),
            # Without a target the middle cell already says so.
            Text(
                "" if state == "no target" else SLA_MARK.get(state, state),
                style=SLA_STYLE.get(state, "dim"),
            ),
        )
    if not d.source_events:
        grid.add_row("Source", Text("no raw events: built from the contact record"), "")
    return grid
