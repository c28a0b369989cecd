"""Harness of the bad-input catalogue ("safe on bad days").

Every case of the catalogue runs a real command (in this process through
:func:`cli.main.main`, or as a separate process where memory, signals or hangs are
the point) against hostile or merely unlucky input and checks the contract of the
toolkit for bad input:

* exit code 2 (:data:`EXIT_INPUT`),
* one line on standard error per problem of the input (one for most cases; a file
  with several faults shows them all at once), each starting with ``Fehler:``, in
  German, naming the file (and the field where there is one),
* no Python traceback anywhere in the output,
* an existing results store byte for byte unchanged.

Each area of the toolkit has its own module ``test_<area>.py`` with its cases as
data (:class:`Case`): the input, the expected message fragment and what else to
check. ``python -m tests.bad_days.report`` prints every case with the message it
gives today (for the closing note of an issue).
"""

from __future__ import annotations

import hashlib
import os
import resource
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXIT_INPUT = 2
FILE_SIZE_VAR = "SOZIALRAUM_TEST_FSIZE"
"""A case's ``env`` entry: the subprocess may not write files beyond this many bytes."""

ENGLISH_FRAGMENTS = (
    "Traceback",
    "Input should",
    "Field required",
    "Error:",
    "Exception",
    "No such file",
    "Permission denied",
    "line ",
    "errno",
)
"""Pieces of English interpreter or library output that must never reach a user."""


@dataclass(frozen=True)
class Outcome:
    """What a command did."""

    code: int
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        """Non-empty lines on standard error."""
        return [line for line in self.err.splitlines() if line.strip()]


@dataclass(frozen=True)
class Case:
    """One bad input and the answer expected for it.

    Attributes:
        ident: Short id (the pytest id).
        what: German description of the input, for the report.
        argv: Builds the command's arguments from the case's working folder (files
            the case needs are written by ``setup``).
        expect: Fragments that must all appear in the one ``Fehler:`` line.
        setup: Writes the case's files into the working folder (optional).
        subprocess: Run as ``python -m cli`` in its own process (memory, signals).
        timeout: Seconds a subprocess may take.
        env: Extra environment of a subprocess.
        lines: ``Fehler:`` lines expected (one per problem of the input).
    """

    ident: str
    what: str
    argv: Callable[[Path], Sequence[str]]
    expect: tuple[str, ...]
    setup: Callable[[Path], None] | None = None
    subprocess: bool = False
    timeout: float = 120.0
    env: dict[str, str] = field(default_factory=dict)
    lines: int = 1


def file_digest(path: Path) -> str | None:
    """sha256 of a file's bytes (None if it does not exist)."""
    if not path.exists():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_digest(folder: Path) -> dict[str, str | None]:
    """sha256 of every file below a folder, by relative path (hidden files included)."""
    return {
        p.relative_to(folder).as_posix(): file_digest(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() or p.is_symlink()
    }


def run_in_process(argv: Sequence[str], capsys: object) -> Outcome:
    """Run ``sozialraum ARGV`` in this process (``capsys`` is pytest's fixture)."""
    from cli.main import main

    code = main(list(argv))
    captured = capsys.readouterr()  # type: ignore[attr-defined]
    return Outcome(code, captured.out, captured.err)


def run_subprocess(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    timeout: float = 120.0,
    env: dict[str, str] | None = None,
) -> Outcome:
    """Run ``python -m cli ARGV`` in its own process."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    limit = full_env.pop(FILE_SIZE_VAR, None)

    def limit_files() -> None:  # a full disk, as the program sees it: EFBIG
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (int(limit), int(limit)))

    proc = subprocess.run(
        [sys.executable, "-m", "cli", *argv],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        preexec_fn=limit_files if limit is not None else None,
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


def run_case(case: Case, workdir: Path, capsys: object | None = None) -> Outcome:
    """Set up and run one case in ``workdir``."""
    if case.setup is not None:
        case.setup(workdir)
    argv = list(case.argv(workdir))
    if case.subprocess or capsys is None:
        return run_subprocess(argv, cwd=workdir, timeout=case.timeout, env=case.env)
    return run_in_process(argv, capsys)


def assert_clear_input_error(outcome: Outcome, *expect: str, lines: int = 1) -> str:
    """The contract for bad input; returns the first ``Fehler:`` line.

    Args:
        outcome: What the command did.
        expect: Fragments the first line must hold.
        lines: How many ``Fehler:`` lines (problems) the input has.

    Raises:
        AssertionError: If the exit code is not 2, standard error does not hold
            exactly ``lines`` lines each starting ``Fehler:``, the first does not hold
            every expected fragment, or English interpreter output (a traceback)
            appears anywhere.
    """
    everything = outcome.out + outcome.err
    for fragment in ENGLISH_FRAGMENTS:
        assert fragment not in everything, f"{fragment!r} in der Ausgabe:\n{everything}"
    found = outcome.error_lines
    assert outcome.code == EXIT_INPUT, f"Exit {outcome.code}, Ausgabe:\n{everything}"
    assert len(found) == lines, f"erwartet {lines} Zeile(n) auf stderr, erhalten:\n{outcome.err}"
    for line in found:
        assert line.startswith("Fehler:"), line
    line = found[0]
    for fragment in expect:
        assert fragment in line, f"{fragment!r} fehlt in: {line}"
    return line


__all__ = [
    "EXIT_INPUT",
    "ROOT",
    "Case",
    "Outcome",
    "assert_clear_input_error",
    "file_digest",
    "run_case",
    "run_in_process",
    "run_subprocess",
    "tree_digest",
]
