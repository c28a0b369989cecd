"""Run the model: ``run_once(params, seed)`` and ``run_group(params_list, seed)``.

The runner is a pure function of its parameters and seed: the same inputs give the
same tables, bit for bit.

:func:`run_group` runs several scenarios with one seed and shares their burn-in where
it is identical: the burn-in runs under the pre-reform rules (no regional budget 2,
bound budget = all sozialraum funds, no incentive), so scenarios that differ only in
those levers (``budget.bound_share``, ``budget.regional2_share``, ``incentive``)
start their reported years from the same state. The burn-in is simulated once, the
model copied, and each copy continues with its own parameters. The results equal
:func:`run_once`'s exactly (tested for every Lüneburg scenario).
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
import time
from collections.abc import Sequence
from dataclasses import dataclass

import mesa
import pandas as pd

from model.model import SozialraumModel
from model.params import BudgetParams, IncentiveParams, ModelParams


@dataclass(frozen=True)
class RunResult:
    """Outcomes of one run."""

    run_id: str
    seed: int
    results: pd.DataFrame
    """Tidy outcomes: run_id, year, month (0 = yearly figure), region, metric, value, unit."""
    ledger: pd.DataFrame
    """Every booking: year, month, region, pot, item, provider, kind, cents."""
    closing: pd.DataFrame
    """Year-end closing per year, region and pot, in cents."""
    providers: pd.DataFrame
    """Each provider's year: staff, reserves, revenue, costs, utilisation, exit."""
    seconds: float
    """Wall-clock time of the run."""

    def value(self, metric: str, region: str = "Gesamt", year: int | None = None) -> float:
        """A single yearly figure (the last year unless ``year`` is given)."""
        r = self.results
        sel = r[(r.metric == metric) & (r.region == region) & (r.month == 0)]
        if sel.empty:
            raise KeyError(f"no yearly metric {metric!r} for region {region!r}")
        if year is None:
            year = int(sel.year.max())
        return float(sel.loc[sel.year == year, "value"].iloc[0])


def closing_frame(model: SozialraumModel) -> pd.DataFrame:
    """The year-end closings of the reported years as a table (cents)."""
    p = model.params
    rows = []
    for year_index, c in model.jugendamt.closings:
        if year_index < 0:
            continue
        for r, region in enumerate(p.region_names):
            for k, pot in enumerate(("bound", "regional_1", "regional_2", "central")):
                rows.append(
                    {
                        "year": p.budget.start_year + year_index,
                        "region": region,
                        "pot": pot,
                        "allocation": int(c.allocation[r, k]),
                        "carry_in": int(c.carry_in[r, k]),
                        "transfer_in": int(c.transfer_in[r, k]),
                        "transfer_out": int(c.transfer_out[r, k]),
                        "spent": int(c.spent[r, k]),
                        "carry_out": int(c.carry_out[r, k]),
                        "result": int(c.result[r, k]),
                    }
                )
    return pd.DataFrame(rows)


def _mesa_ids() -> dict | None:
    """Mesa 3.3's per-model agent id counters, or None.

    Mesa 3.3 keeps them in the class attribute ``Agent._ids``, keyed by the model,
    outside the model; later versions keep the counter in the model.
    """
    ids = getattr(mesa.Agent, "_ids", None)
    return ids if isinstance(ids, dict) else None


def _release(model: SozialraumModel) -> None:
    """Let the finished model be garbage-collected.

    Mesa 3.3 keeps a per-model id counter in the class attribute ``Agent._ids``, keyed
    by the model, so every model of a long batch would stay in memory (Mesa issue
    3179, fixed upstream after 3.3.1). Dropping the key releases it.
    """
    ids = _mesa_ids()
    if ids is not None:
        ids.pop(model, None)


def run_once(
    params: ModelParams,
    seed: int,
    run_id: str | None = None,
    model_cls: type[SozialraumModel] = SozialraumModel,
) -> RunResult:
    """Build the model, run every month, and collect its tables.

    Args:
        params: All parameters.
        seed: Seed of the run's random generator.
        run_id: Identifier written into the results (default ``"<name>-<seed>"``).
        model_cls: The model class (the per-agent reference implementation passes
            its own).

    Returns:
        The run's outcomes, ledger and closings.
    """
    t0 = time.perf_counter()
    model = model_cls(params, rng=seed)
    model.run()
    return _collect(model, params, seed, run_id, time.perf_counter() - t0)


def _collect(
    model: SozialraumModel, params: ModelParams, seed: int, run_id: str | None, seconds: float
) -> RunResult:
    """The tables of a finished model (then released)."""
    t0 = time.perf_counter()
    run_id = run_id or f"{params.name}-{seed}"
    results = model.recorder.frame(run_id)
    ledger = model.ledger.frame(params.budget.start_year, params.burn_in_months)
    closing = closing_frame(model)
    providers = model.recorder.provider_frame(run_id)
    _release(model)
    return RunResult(
        run_id=run_id,
        seed=seed,
        results=results,
        ledger=ledger,
        closing=closing,
        providers=providers,
        seconds=seconds + time.perf_counter() - t0,
    )


REFORM_ONLY_BUDGET_RULES: tuple[str, ...] = (
    "regional2_scope",
    "regional2_payment",
    "regional2_exhaustion",
    "regional2_group_share",
    "incentive_recipients",
)
"""Budget rules that act only once there is a regional budget 2 (never in a
pre-reform burn-in), so runs differing only in them share a burn-in."""
_BUDGET_FIELDS = {f.name: f for f in dataclasses.fields(BudgetParams)}


INDEX_ONLY_REGION_FIELDS: tuple[str, ...] = ("migration_share", "unemployment_share")
"""Region indicators only the Sozialraumindex reads (:mod:`model.allocation`), not the
families' need: in a burn-in with Sozialraumbüros they change nothing (see
:func:`burn_in_key`)."""


BURN_IN_IGNORES: tuple[tuple[str, str], ...] = (
    ("need", "trend_per_year"),
    ("projects", "effect_mean"),
)
"""Behaviours that provably act only in reported years, so runs differing in them
share a burn-in: the need trend starts with the first reported month
(:meth:`SozialraumModel.step`), and no project is funded without a regional budget 1,
which a pre-reform burn-in never has (its proposals are drawn with a fixed number of
random numbers whatever their mean effect). Tested by running each changed value from
the shared burn-in against its own run (``tests/model/test_run.py``)."""


def burn_in_key(params: ModelParams) -> ModelParams | None:
    """What determines a run's burn-in; None if it cannot be shared.

    Equal keys (with equal seeds) mean identical models at the end of the burn-in:
    the key is the parameters with the levers the burn-in ignores set to the
    pre-reform rules and the behaviours of :data:`BURN_IN_IGNORES` to 0; with
    Sozialraumbüros also the allocation key, its weights and the indicators only the
    index reads (:data:`INDEX_ONLY_REGION_FIELDS`), because the key then splits only
    the central budget, which nothing reads before the reform (so the reform
    variants with another key share the status quo's burn-in). A burn-in under the
    scenario's own rules (``budget.burn_in_rules == "scenario"``) or without burn-in is
    never shared.
    """
    if params.burn_in_months == 0 or params.budget.burn_in_rules != "pre_reform":
        return None
    budget_rules = {name: _BUDGET_FIELDS[name].default for name in REFORM_ONLY_BUDGET_RULES}
    regions = params.regions
    if params.offices:
        # the Sozialraumbüros split the bound budget (and regional budget 1), so in a
        # pre-reform burn-in the key splits only the central budget, which no rule
        # reads before the reform: the key and the indicators only the index uses
        # cannot change the burn-in
        budget_rules |= {
            "allocation_key": "population",
            "index_weights": _BUDGET_FIELDS["index_weights"].default_factory(),
        }
        regions = tuple(
            dataclasses.replace(r, **dict.fromkeys(INDEX_ONLY_REGION_FIELDS, 0.0)) for r in regions
        )
    sections = {
        section: dataclasses.replace(
            getattr(params, section),
            **{name: 0.0 for s, name in BURN_IN_IGNORES if s == section},
        )
        for section in dict.fromkeys(s for s, _ in BURN_IN_IGNORES)
    }
    return dataclasses.replace(
        params,
        name="",
        provenance=(),
        budget=dataclasses.replace(
            params.budget,
            bound_share=1.0,
            regional2_share=0.0,
            **budget_rules,
        ),
        regions=regions,
        incentive=IncentiveParams(scheme="none"),
        **sections,
    )


def burn_in_model(
    params: ModelParams, seed: int, model_cls: type[SozialraumModel] = SozialraumModel
) -> SozialraumModel:
    """The model of ``params`` and ``seed`` at the end of its burn-in.

    Continue it with :func:`finish_run` under any parameters with the same
    :func:`burn_in_key`.
    """
    model = model_cls(params, rng=seed)
    while model.month_abs < params.burn_in_months:
        model.step()
    return model


def finish_run(
    model: SozialraumModel,
    params: ModelParams,
    seed: int,
    run_id: str | None = None,
    seconds: float = 0.0,
) -> RunResult:
    """Run a model from its current month to the end under ``params``; its tables.

    Args:
        model: A model after its burn-in (:func:`burn_in_model`, :func:`restore`);
            it is used up.
        params: The run's parameters (same :func:`burn_in_key` as the model's).
        seed: The run's seed (the model's).
        run_id: Identifier written into the results.
        seconds: Time already spent on the run (its share of the burn-in).
    """
    t0 = time.perf_counter()
    model.params = params
    model.run()
    return _collect(model, params, seed, run_id, seconds + time.perf_counter() - t0)


def snapshot(model: SozialraumModel) -> bytes:
    """A model in mid-run as bytes (random state included), for :func:`restore`.

    Mesa 3.3 numbers agents with a per-model counter outside the model
    (``Agent._ids``); it travels with the snapshot so that agents created later get
    the same ids as in an uninterrupted run.
    """
    ids = _mesa_ids()
    counter = ids.get(model) if ids is not None else None
    return pickle.dumps((model, counter), protocol=pickle.HIGHEST_PROTOCOL)


def restore(data: bytes) -> SozialraumModel:
    """The model of a :func:`snapshot`."""
    # only bytes this program wrote itself: never anything received from outside
    model, counter = pickle.loads(data)
    ids = _mesa_ids()
    if ids is not None and counter is not None:
        ids[model] = counter
    return model


def run_group(
    params_list: Sequence[ModelParams],
    seed: int,
    run_ids: Sequence[str | None] | None = None,
    model_cls: type[SozialraumModel] = SozialraumModel,
) -> list[RunResult]:
    """Run several parameter sets with one seed, sharing identical burn-ins.

    Args:
        params_list: The parameter sets (e.g. scenarios of a batch).
        seed: The common seed.
        run_ids: Identifiers per run (default ``"<name>-<seed>"``).
        model_cls: The model class.

    Returns:
        One result per parameter set, in order, each equal to ``run_once``'s; the
        shared burn-in's time is split evenly among the runs that share it.
    """
    ids = list(run_ids) if run_ids is not None else [None] * len(params_list)
    out: list[RunResult | None] = [None] * len(params_list)
    groups: list[tuple[ModelParams, list[int]]] = []
    for i, params in enumerate(params_list):
        key = burn_in_key(params)
        if key is None:
            out[i] = run_once(params, seed, ids[i], model_cls)
            continue
        for group_key, members in groups:
            if group_key == key:
                members.append(i)
                break
        else:
            groups.append((key, [i]))
    for _, members in groups:
        if len(members) == 1:
            i = members[0]
            out[i] = run_once(params_list[i], seed, ids[i], model_cls)
            continue
        t0 = time.perf_counter()
        base = burn_in_model(params_list[members[0]], seed, model_cls)
        shared = (time.perf_counter() - t0) / len(members)
        for n, i in enumerate(members):
            t1 = time.perf_counter()
            model = base if n == len(members) - 1 else _fork(base)
            seconds = shared + time.perf_counter() - t1
            out[i] = finish_run(model, params_list[i], seed, ids[i], seconds)
    return [r for r in out if r is not None]


def _fork(model: SozialraumModel) -> SozialraumModel:
    """An independent copy of a model in mid-run (random state included)."""
    twin = copy.deepcopy(model)
    ids = _mesa_ids()
    if ids is not None and model in ids:
        ids[twin] = copy.deepcopy(ids[model])
    return twin
