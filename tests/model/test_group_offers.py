"""Fallübergreifende group offers funded from regional budget 2 (``regional2_group_share``)."""

from __future__ import annotations

import numpy as np

from model.agents import R2
from model.model import SozialraumModel
from model.run import run_group, run_once
from tests.fixtures.factory import make_params

SIZE = {"scale": 0.1, "years": 2, "burn_in_months": 12}
RB2 = {"budget.regional2_share": 0.2}


def _params(group_share: float, **extra: object):
    return make_params(**SIZE, **RB2, **{"budget.regional2_group_share": group_share}, **extra)


def test_places_are_what_the_share_of_regional_budget_2_pays_for():
    model = SozialraumModel(_params(0.25), rng=1)
    while model.month_abs <= model.params.burn_in_months:
        model.step()
    g = model.group_type
    h = model.params.help_types[g]
    month = h.fls_per_week * 52 / 12 * model.params.provider.fls_rate / h.group_size
    ja = model.jugendamt
    budget = (ja.allocation[:, R2] + ja.carry_in[:, R2]) / 100.0
    assert np.array_equal(model.group_places, np.floor(0.25 * budget / (12 * month)))
    assert model.group_places.sum() > 0


def test_without_a_share_no_place_and_no_change():
    """A zero share gives no places, draws nothing and leaves the run as it was."""
    base = run_once(make_params(**SIZE, **RB2), 3)
    zero = run_once(_params(0.0), 3)
    assert base.ledger.equals(zero.ledger)
    assert base.results.equals(zero.results)


def test_group_places_go_to_the_sozialraumtraeger_and_regional_budget_2_pays_in_full():
    p = _params(0.5)
    model = SozialraumModel(p, rng=2)
    f = model.families
    g = model.group_type
    seen = 0
    while model.month_abs < model.total_months:
        model.step()
        on = np.flatnonzero(f.active & (f.case_type == g))
        seen = max(seen, on.size)
        lead = model.lead_provider[f.region[on]]
        has_lead = lead >= 0
        assert np.array_equal(f.case_provider[on][has_lead], lead[has_lead])
        assert np.all(f.case_pot[on] == R2)
    assert seen > 0


def test_regional_budget_2_pays_a_group_place_in_full():
    """Under pro-rata payment a carried help is split; a group place is not."""
    p = _params(0.5, **{"budget.regional2_exhaustion": "next_year"})
    led = run_once(p, 2).ledger
    case = led[led.kind == "case"]
    group = case[case["item"] == "27_2_gruppe"]
    assert len(group) > 0
    assert set(group.pot) == {"regional_2"}
    split = case[case["item"] == "31"]
    assert {"regional_2", "central"} <= set(split.pot)


def test_groups_serve_families_at_a_lower_cost_and_a_weaker_effect():
    """Paired seeds: group places lower ambulatory spending per help month."""
    seeds = range(1, 7)
    spent = {0.0: [], 0.5: []}
    for seed in seeds:
        for share, r in zip(spent, run_group([_params(0.0), _params(0.5)], seed), strict=True):
            case = r.ledger[r.ledger.kind == "case"]
            spent[share].append(case.cents.sum())
    assert np.mean(spent[0.5]) < np.mean(spent[0.0])
