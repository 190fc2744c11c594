"""One reader per export format; `detect` picks one by content (and config rules)."""
