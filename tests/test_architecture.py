"""The data layer never imports Textual: `check` and `report` stay headless and fast."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_data_package_has_no_textual_import_in_source() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "data").rglob("*.py")
        if any(
            line.lstrip().startswith(("import textual", "from textual", "import tui", "from tui"))
            for line in p.read_text().splitlines()
        )
    ]
    assert offenders == []


def test_importing_every_data_module_loads_no_textual() -> None:
    code = (
        "import importlib, pkgutil, sys, data\n"
        "for m in pkgutil.walk_packages(data.__path__, 'data.'):\n"
        "    importlib.import_module(m.name)\n"
        "import tui.cli\n"
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
