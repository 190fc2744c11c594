"""Headless commands: `check` and `report`."""
