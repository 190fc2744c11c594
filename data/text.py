"""Data shown as text: a control character in a name, a message or a rejected line is drawn as a
symbol, never sent to the terminal, where ESC [2J would clear the screen and ESC [31m colour
what follows.

C0 controls show as their Unicode control pictures (ESC as ␛, TAB as ␉), DEL as ␡, C1 controls as
U+FFFD: each stays one cell wide, so tables measured on the raw text keep their columns.
"""

from __future__ import annotations

from typing import Any

_C0 = {code: 0x2400 + code for code in range(0x20)}
_SHOWN = {**_C0, 0x7F: 0x2421, **{code: 0xFFFD for code in range(0x80, 0xA0)}}
_SHOWN_BUT_NEWLINES = {code: shown for code, shown in _SHOWN.items() if code != 0x0A}


def visible(text: str, *, lines: bool = False) -> str:
    """`text` with every control character shown as a symbol; with `lines`, its newlines (CRLF
    too) kept as line breaks (a message, a whole report)."""
    if text.isprintable():
        return text
    if lines:
        return text.replace("\r\n", "\n").translate(_SHOWN_BUT_NEWLINES)
    return text.translate(_SHOWN)


def visible_values(value: Any) -> Any:
    """`value` with every string in it (in dicts, keys too, lists, tuples) made `visible`: for a
    document laid out from data, before the layout, so a newline in a value cannot start a line of
    its own (a topic "billing\\n## Overdue" making a section of the md summary)."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {visible_values(k): visible_values(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(visible_values(v) for v in value)
    return value
