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
