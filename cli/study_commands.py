"""What the analysis commands share: their options and running a study into the store.

``sozialraum sensitivity``, ``discover`` and ``optimise`` each run a scenario (and a
baseline) at designed points of the declared uncertainties
(:class:`experiments.Study`): an ordinary batch, stored run by run, resumed by the
same command, with the batch command's progress bar, interruption and error lines.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cli.batch_commands import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    _common,
    _execute,
    _fail,
    _os_failure,
    _print_report,
    _scheduler,
    _stored_batches,
    calibration_notes,
)
from cli.tables import print_warnings
from experiments import BatchInterrupted, BatchPlan, Study, analysis_id, outcome_values
from results import ResultsStore
from scenarios import (
    MAX_REPLICATES,
    REPLICATES_WHY,
    Scenario,
    ScenarioError,
    display_path,
)


def add_study_options(
    p: argparse.ArgumentParser,
    int_at_least: Any,
    scale: Any,
    *,
    replicates: int = 2,
) -> None:
    """The options every study command has.

    SCENARIO, ``--baseline``, ``--replicates`` and the batch command's ``--store``,
    ``--workers``, ``--seed`` (first seed of the runs, also the design's seed),
    ``--years``, ``--scale`` and ``--scheduler``.
    """
    p.add_argument("scenario", metavar="SZENARIO", help="Szenarioname oder Pfad zur YAML-Datei")
    p.add_argument(
        "--baseline",
        metavar="SZENARIO",
        default=None,
        help=(
            "Vergleichsszenario: ausgewertet wird die gepaarte Differenz SZENARIO − "
            "Vergleich (gleicher Seed, gleiche Annahmen); ohne: SZENARIO allein"
        ),
    )
    p.add_argument(
        "--replicates",
        type=int_at_least(1, MAX_REPLICATES, "Wiederholungen", REPLICATES_WHY),
        default=replicates,
        help=f"Wiederholungen je Punkt (Mittelwert; Vorgabe: {replicates})",
    )
    _common(p, int_at_least, scale)
    _scheduler(p)


@dataclass
class StudyRuns:
    """A finished study: its plan and one value per stored run and metric."""

    plan: BatchPlan
    values: pd.DataFrame
    """scenario, point_id, seed, metric, value (see :func:`experiments.outcome_values`)."""

    @property
    def scenario(self) -> Scenario:
        """The scenario studied (the last one planned)."""
        return self.plan.scenarios[-1]

    @property
    def baseline(self) -> Scenario | None:
        """The baseline, if any."""
        return self.plan.scenarios[0] if len(self.plan.scenarios) == 2 else None


def run_study(
    args: argparse.Namespace, studies: Sequence[Study], metrics: dict[str, str]
) -> list[StudyRuns] | int:
    """Plan and run studies into ``args.store``; their values, or the exit code of a failure.

    Every study is planned (validated) before anything runs, so a broken input leaves
    the store untouched; each runs as its own batch.

    Returns:
        One :class:`StudyRuns` per study, or the exit code (2 wrong input, 1 failed
        runs, 130 interrupted) after the German lines were printed.
    """
    try:
        plans = [study.plan(stored=_stored_batches(args.store)) for study in studies]
        store = ResultsStore(args.store)
    except ScenarioError as err:
        return _fail(err)
    out: list[StudyRuns] = []
    with store:
        try:
            for plan in plans:
                report = _execute(args, plan, store)
                if report.failed:
                    _print_report(report, args.store)
                    return EXIT_FAILURE
                out.append(StudyRuns(plan, outcome_values(store, plan, metrics)))
        except BatchInterrupted as exc:
            r = exc.report
            print(
                f"Abgebrochen: {r.already_done + r.ran} von {r.planned} Läufen sind in "
                f"{display_path(args.store)} gespeichert. Derselbe Befehl setzt fort.",
                file=sys.stderr,
            )
            return EXIT_INTERRUPTED
        except ScenarioError as err:  # the store cannot be read or written
            return _fail(err)
        except OSError as exc:
            return _fail(_os_failure(args, exc))
    print_warnings(calibration_notes(plans[0].scenarios))
    return out


def store_analysis(
    args: argparse.Namespace,
    kind: str,
    scenario: str,
    baseline: str | None,
    batch_ids: Sequence[str],
    settings: dict[str, Any],
    result: dict[str, Any],
    indices: pd.DataFrame | None = None,
) -> str | int:
    """Write an analysis into ``args.store`` (id from :func:`experiments.analysis_id`).

    Returns:
        The analysis id, or the exit code after the German error line (store unwritable).
    """
    aid = analysis_id(settings, batch_ids)
    try:
        with ResultsStore(args.store) as store:
            store.write_analysis(
                aid, kind, scenario, baseline, batch_ids, settings, result, indices
            )
    except ScenarioError as err:
        return _fail(err)
    except OSError as exc:
        return _fail(_os_failure(args, exc))
    return aid


def outcome_of(scenario: Scenario, metric: str, field: str = "--outcome") -> Any:
    """The scenario's outcome declaration of a metric.

    Raises:
        ScenarioError: If the scenario declares no such outcome (the error lists
            the declared ones).
    """
    for outcome in scenario.outcomes:
        if outcome.metric == metric:
            return outcome
    declared = ", ".join(o.metric for o in scenario.outcomes) or "keine"
    raise ScenarioError(
        scenario.path, field, f"Ergebnisgröße „{metric}“ nicht erklärt (erklärt: {declared})"
    )


__all__ = ["StudyRuns", "add_study_options", "outcome_of", "run_study", "store_analysis"]
