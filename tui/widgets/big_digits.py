"""Digits that grow with the room they are given: a wall terminal read from across the floor.

In three rows (an 80- or 120-column terminal) they are Textual's own Digits. Given five rows or
more they are drawn from a 3×5 pixel font in full blocks, each pixel a whole number of cells:
5 rows high at one row per pixel, 10 at two, as large as the tile allows.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import RenderableType
from rich.text import Text
from textual.geometry import Size
from textual.widgets import Digits

# 3×5 pixels per glyph (":" and "." are one pixel wide); "#" is a lit pixel.
FONT: dict[str, tuple[str, ...]] = {
    "0": ("###", "#.#", "#.#", "#.#", "###"),
    "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"),
    "3": ("###", "..#", ".##", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"),
    "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"),
    "7": ("###", "..#", ".#.", ".#.", ".#."),
    "8": ("###", "#.#", "###", "#.#", "###"),
    "9": ("###", "#.#", "###", "..#", "###"),
    "%": ("#.#", "..#", ".#.", "#..", "#.#"),
    "-": ("...", "...", "###", "...", "..."),
    "+": ("...", ".#.", "###", ".#.", "..."),
    " ": ("...", "...", "...", "...", "..."),
    ":": (".", "#", ".", "#", "."),
    ".": (".", ".", ".", ".", "#"),
}
GLYPH_ROWS = 5
MAX_ROWS_PER_PIXEL = 6


@dataclass(frozen=True)
class Scale:
    """Cells per pixel: `cols` across, `rows` down. A cell is about twice as tall as it is wide,
    so a square pixel is two columns per row; down to 1.5 keeps the digits from looking thin."""

    cols: int
    rows: int


def drawable(text: str) -> bool:
    return bool(text) and all(ch in FONT for ch in text)


def block_width(text: str, scale: Scale) -> int:
    """Cells across: the glyphs' pixels and a pixel's gap between glyphs."""
    pixels = sum(len(FONT[ch][0]) for ch in text) + len(text) - 1
    return scale.cols * pixels


def block_height(scale: Scale) -> int:
    return GLYPH_ROWS * scale.rows


def fit_scale(
    text: str, width: int, height: int, max_rows: int = MAX_ROWS_PER_PIXEL
) -> Scale | None:
    """The largest scale (up to `max_rows` rows a pixel) at which `text` fits width × height
    cells; None when even one row per pixel does not fit (Textual's three-row digits then)."""
    if not drawable(text):
        return None
    for rows in range(min(max_rows, height // GLYPH_ROWS), 0, -1):
        for cols in range(2 * rows, max(2, (3 * rows + 1) // 2) - 1, -1):
            scale = Scale(cols, rows)
            if block_width(text, scale) <= width:
                return scale
    return None


def block_lines(text: str, scale: Scale) -> list[str]:
    """`text` in the pixel font at `scale`, as lines of full blocks."""
    pixel_rows = [".".join(FONT[ch][row] for ch in text) for row in range(GLYPH_ROWS)]
    lines = []
    for row in pixel_rows:
        line = "".join(("█" if p == "#" else " ") * scale.cols for p in row)
        lines.extend([line] * scale.rows)
    return lines


class BigDigits(Digits):
    """Textual's Digits, drawn larger when the widget is given the room (`height` in CSS).
    `max_rows` caps the rows a pixel takes, so that a row of tiles can draw its numbers at one
    height (`even_heights`)."""

    def __init__(self, value: str = "", **kw) -> None:
        super().__init__(value, **kw)
        self.max_rows = MAX_ROWS_PER_PIXEL

    def fitting(self) -> Scale | None:
        """The largest scale the room allows, whatever the cap."""
        size = self.content_size
        return fit_scale(self.value, size.width, size.height)

    def scale(self) -> Scale | None:
        size = self.content_size
        return fit_scale(self.value, size.width, size.height, self.max_rows)

    def render(self) -> RenderableType:
        scale = self.scale()
        if not scale:
            return super().render()
        # In the middle of the room it was given: on a wall the tile is much larger than 3 rows.
        size = self.content_size
        above = (size.height - block_height(scale)) // 2
        left = " " * ((size.width - block_width(self.value, scale)) // 2)
        lines = [""] * above + [left + line for line in block_lines(self.value, scale)]
        return Text("\n".join(lines), style=self.rich_style, end="")

    def update(self, value: str) -> None:
        super().update(value)
        self.refresh(layout=True)  # a longer number may take a smaller scale

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        scale = fit_scale(self.value, width, container.height)
        return block_height(scale) if scale else 3


def even_heights(digits: list[BigDigits]) -> None:
    """Draw every one of `digits` at the height the tightest of them allows: a row of numbers
    of one height reads as one row (a short number would otherwise tower over a long one)."""
    fits = [d.fitting() for d in digits]
    rows = min((f.rows if f else 0 for f in fits), default=0)
    for d in digits:
        if d.max_rows != rows:  # 0: one cannot be drawn large, so none is (Textual's Digits)
            d.max_rows = rows
            d.refresh()
