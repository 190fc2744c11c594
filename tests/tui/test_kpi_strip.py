"""The KPI strip's change reads in full even in an 80-column cell: the arrow carries the sign."""

from __future__ import annotations

import pytest
from rich.text import Text

from tui.widgets.kpi_strip import _compact


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
