"""The `floorwatch` command.

`check` and `report` are headless and never import Textual (fast to start, usable from cron);
the console and the demo import it only when they run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

HEADLESS = {"check", "report"}
USAGE = """usage: floorwatch [FOLDER] [--config F] [--db F] [--wall]
       floorwatch demo [--speed N] [--db F]
       floorwatch check PATH... [--config F] [--db F] [--format text|json]
       floorwatch report PATH... | --db F [--period P | --from T --to T] [--by K] [--format F]
       floorwatch serve FOLDER [--host H] [--port N]
"""


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # ctrl+c before the console is up (the demo writing its history, a long check): stop
        # quietly with the shell's code for an interrupt, not a traceback.
        return _interrupted()
    except BrokenPipeError:
        # `floorwatch report | head -1`: the reader has gone, which is no error of ours. Python
        # would report the pipe again when it flushes stdout at exit: point stdout at nothing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # the shell's code for SIGPIPE
    except Exception as exc:
        if not _is_interrupted_query(exc):
            raise
        return _interrupted()


def _interrupted() -> int:
    print("floorwatch: interrupted", file=sys.stderr)
    return 130


def _is_interrupted_query(exc: Exception) -> bool:
    """A ctrl+c that lands inside a DuckDB query comes out as DuckDB's error, not as
    KeyboardInterrupt (seen as 'Query interrupted' while the demo opened its store)."""
    import duckdb  # loaded already by whatever ran the query

    # Along the chain: the interrupt can land in a write, whose transaction then refuses the
    # statement that follows ("Current transaction is aborted"), raised on top of it.
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, duckdb.InterruptException | KeyboardInterrupt) or (
            str(seen) == "Query interrupted"
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print(USAGE, end="")
        return 0
    command = args[0] if args and args[0] in HEADLESS | {"demo", "serve"} else "console"
    rest = args[1:] if command != "console" else args
    if command == "check":
        from data.commands.check import run_check

        return run_check(rest)
    if command == "report":
        from data.commands.report import run_report

        return run_report(rest)
    from tui.launch import run_console

    return run_console(command, rest)
