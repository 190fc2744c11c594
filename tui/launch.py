"""Start the console (or the live demo). Replaced as the console grows."""

from __future__ import annotations


def run_console(command: str, args: list[str]) -> int:
    print("floorwatch: the console is not built yet; `floorwatch check` works.")
    return 0
