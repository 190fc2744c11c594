"""The wall's large digits: a 3×5 pixel font scaled to the room a tile gives it."""

from __future__ import annotations

from tui.widgets.big_digits import FONT, Scale, block_height, block_lines, block_width, fit_scale


def test_one_row_per_pixel_draws_the_font_as_it_is() -> None:
    assert block_lines("1%", Scale(1, 1)) == [
        " █  █ █",
        "██    █",
        " █   █ ",
        " █  █  ",
        "███ █ █",
    ]


def test_each_pixel_takes_its_scale_in_cells() -> None:
    lines = block_lines("7", Scale(2, 2))
    assert lines[:4] == ["██████"] * 2 + ["    ██"] * 2
    assert len(lines) == block_height(Scale(2, 2)) == 10
    assert {len(line) for line in lines} == {block_width("7", Scale(2, 2))} == {6}


def test_the_largest_scale_that_fits_both_ways() -> None:
    # "58%": 9 pixels of glyphs + 2 of gaps = 11 across, 5 down.
    assert fit_scale("58%", 44, 19) == Scale(4, 2)  # 3 rows a pixel would need 5 cols: 55 > 44
    assert fit_scale("58%", 44, 100) == Scale(4, 2)  # width-bound, however tall
    assert fit_scale("58%", 66, 19) == Scale(6, 3)  # 15 of the 19 rows
    assert fit_scale("58%", 88, 19) == Scale(6, 3)  # height-bound, however wide
    assert fit_scale("58%", 22, 100) == Scale(2, 1)  # narrow: never thinner than 1.5 cols a row
    assert fit_scale("58%", 21, 100) is None
    assert fit_scale("58%", 21, 4) is None  # under 5 rows: Textual's three-row digits
    assert fit_scale("10:00", 54, 12) == Scale(3, 2)  # 17 pixels across: 51 cells


def test_what_the_font_cannot_draw_is_left_to_textual() -> None:
    assert fit_scale("1,234", 100, 100) is None
    assert fit_scale("", 100, 100) is None
    assert all(len({len(row) for row in glyph}) == 1 and len(glyph) == 5 for glyph in FONT.values())
