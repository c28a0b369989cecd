"""Print every command-line case of the bad-input catalogue with the message it gives.

``python -m tests.bad_days.report`` builds the small results store once, runs each
:class:`~tests.bad_days.harness.Case` of the catalogue modules in a fresh folder with
a copy of that store (as ``ergebnisse.duckdb``) and prints one Markdown table row per
case: id, input and the ``Fehler:`` line (or what went wrong instead). It is the
source of the case list in an issue's closing note; the tests check the contract.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.bad_days.harness import Case, Outcome, run_subprocess

MODULES = (
    "test_files",
    "test_limits",
    "test_store_export",
    "test_batch_calibrate",
    "test_dashboard",
)
STORE = "ergebnisse.duckdb"


def _cases(module: str) -> list[Case]:
    mod = importlib.import_module(f"tests.bad_days.{module}")
    found: list[Case] = []
    for value in vars(mod).values():
        if isinstance(value, (list, tuple)):
            found.extend(v for v in value if isinstance(v, Case))
    return found


def _small_store(folder: Path) -> Path:
    from experiments import plan_batch, run_batch
    from results.store import ResultsStore

    path = folder / STORE
    plan = plan_batch(
        ["lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt"], 2, years=1, scale=0.1
    )
    with ResultsStore(path) as store:
        run_batch(plan, store)
    return path


def _run(case: Case, workdir: Path) -> Outcome:
    from cli.main import main

    if case.setup is not None:
        with contextlib.redirect_stdout(io.StringIO()):
            case.setup(workdir)
    if case.subprocess:
        argv = list(case.argv(workdir))
        return run_subprocess(argv, cwd=workdir, timeout=case.timeout, env=case.env)
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    try:
        os.chdir(workdir)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(case.argv(workdir)))
    finally:
        os.chdir(cwd)
    return Outcome(code, out.getvalue(), err.getvalue())


def _release(workdir: Path) -> None:
    """Make a case's folder removable again (a case may lock a folder: as root with
    ``chattr +i``, else by its mode)."""
    if os.geteuid() == 0 and shutil.which("chattr"):
        subprocess.run(["chattr", "-R", "-i", str(workdir)], capture_output=True, check=False)
    for path in [workdir, *workdir.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)


def main() -> None:
    """Run every case and print the table."""
    with tempfile.TemporaryDirectory() as tmp:
        master = _small_store(Path(tmp))
        print("| Bereich | Fall | Eingabe | Meldung (Exit-Code) |")
        print("|---|---|---|---|")
        for module in MODULES:
            for case in _cases(module):
                workdir = Path(tempfile.mkdtemp(dir=tmp))
                shutil.copy(master, workdir / STORE)
                try:
                    outcome = _run(case, workdir)
                    lines = outcome.error_lines
                    shown = lines[0] if len(lines) == 1 else " / ".join(lines) or "(keine Meldung)"
                    text = f"{shown} ({outcome.code})"
                except Exception as exc:  # report, never stop
                    text = f"NICHT ERFÜLLT: {type(exc).__name__}: {exc}"
                finally:
                    _release(workdir)
                text = text.replace(str(workdir) + "/", "").replace("|", "\\|")
                area = module.removeprefix("test_")
                print(f"| {area} | {case.ident} | {case.what} | {text} |", flush=True)


if __name__ == "__main__":
    main()
