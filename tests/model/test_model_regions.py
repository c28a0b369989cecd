"""Providers active in a subset of the regions (``ProviderSpec.regions``), real engine.

Families choose only among providers active in their region, projects go to a local
provider, a provider's running helps move within the region when it leaves, and a
Sozialraumträger with ``regions`` leads all of them unless ``lead_regions`` says
otherwise. Providers without ``regions`` keep the old rules (``region`` one or all;
the golden values in ``test_golden.py`` pin that they did not change).
"""

from __future__ import annotations

import numpy as np

from model.model import SozialraumModel
from model.params import ProviderSpec
from tests.fixtures.factory import make_params

SMALL = {"scale": 0.1, "years": 2, "burn_in_months": 12}

PROVIDERS = (
    ProviderSpec("A", None, "sozialraumtraeger", 12, 150_000, regions=("Region 1", "Region 2")),
    ProviderSpec("B", "Region 3", "sozialraumtraeger", 12, 150_000),
    ProviderSpec("C", None, "ambulant", 8, 80_000, regions=("Region 2", "Region 3")),
    ProviderSpec("Stationär", None, "stationaer", 0, 1_000_000),
)
SERVED = {0: {0, 1}, 1: {2}, 2: {1, 2}}
"""Provider index → region indexes it serves (the stationary market serves all)."""


def _model(providers: tuple[ProviderSpec, ...] = PROVIDERS) -> SozialraumModel:
    return SozialraumModel(make_params(**SMALL, providers=providers), rng=4)


def test_serves_follows_region_and_regions():
    m = _model()
    for index, regions in SERVED.items():
        provider = m.providers[index]
        assert {r for r in range(m.n_regions) if m.serves(provider, r)} == regions
    assert all(m.serves(m.providers[3], r) for r in range(m.n_regions))


def test_a_sozialraumtraeger_with_regions_leads_them():
    assert _model().lead_provider.tolist() == [0, 0, 1]
    led = (
        ProviderSpec(
            "A",
            None,
            "sozialraumtraeger",
            12,
            150_000,
            regions=("Region 1", "Region 2"),
            lead_regions=("Region 2",),
        ),
        *PROVIDERS[1:],
    )
    assert _model(led).lead_provider.tolist() == [-1, 0, 1]


def test_helps_run_only_with_providers_of_the_familys_region():
    m = _model()
    f = m.families
    seen = {index: set() for index in SERVED}
    while m.month_abs < m.total_months:
        m.step()
        rows = np.flatnonzero(f.active)
        for provider, region in zip(f.case_provider[rows], f.region[rows], strict=True):
            if int(provider) in SERVED:
                seen[int(provider)].add(int(region))
    for index, regions in SERVED.items():
        assert seen[index], f"provider {index} never ran a help (test too small)"
        assert seen[index] <= regions, (index, seen[index])
    ledger = m.ledger.frame(m.params.budget.start_year, m.params.burn_in_months)
    names = m.params.region_names
    for index, regions in SERVED.items():
        booked = set(ledger[ledger.provider == m.providers[index].name].region)
        assert booked <= {names[r] for r in regions}, (index, booked)


def test_regression_provider_in_two_regions_was_labelled_gesamt():
    """The providers table named a provider serving two of three regions ``Gesamt``."""
    from model.run import run_once

    table = run_once(make_params(**SMALL, providers=PROVIDERS), seed=4).providers
    region = table.drop_duplicates("provider").set_index("provider")["region"].to_dict()
    assert region == {
        "A": "Region 1, Region 2",
        "B": "Region 3",
        "C": "Region 2, Region 3",
        "Stationär": "Gesamt",
    }


def _lead_share(referral: float, seed: int) -> float:
    """Share of the FLS-help spending of Regions 1-3 paid to their lead provider (A, B)."""
    from model.run import run_once

    # C, active in every region and five times as attractive, wins most free choices
    providers = (
        *PROVIDERS[:2],
        ProviderSpec("C", None, "ambulant", 12, 150_000, attractiveness=5.0),
        PROVIDERS[3],
    )
    params = make_params(**SMALL, providers=providers, **{"provider.lead_referral_share": referral})
    ledger = run_once(params, seed=seed).ledger
    fls = ledger[(ledger.kind == "case") & ledger.provider.isin(["A", "B", "C"])]
    lead = {"Region 1": "A", "Region 2": "A", "Region 3": "B"}
    mine = fls[fls.provider == fls.region.map(lead)].cents.sum()
    return float(mine / fls.cents.sum())


def test_referral_to_the_sozialraumtraeger_raises_its_share_of_the_region():
    """Ulm's rule (``provider.lead_referral_share``): referred families start with the
    region's Sozialraumträger while its capacity lasts; the rest still choose freely."""
    free = [_lead_share(0.0, s) for s in (1, 2, 3)]
    referred = [_lead_share(0.9, s) for s in (1, 2, 3)]
    assert min(referred) > max(free)
    assert max(referred) < 1.0  # provider C keeps families (free choice, full lead)


def test_turned_away_referrals_count_as_the_leads_demand():
    m = SozialraumModel(
        make_params(**SMALL, providers=PROVIDERS, **{"provider.lead_referral_share": 1.0}),
        rng=4,
    )
    amb, _, _, lead_col = m._ambulant_market()
    waiting = np.arange(4)
    m.families.region[waiting] = 0  # Region 1, led by A (amb[0])
    cand = np.arange(4)
    need = np.array([10.0, 10.0, 10.0, 10.0])
    free = np.array([25.0, 100.0, 100.0])
    chosen = np.full(4, -1, dtype=np.int64)
    away = m._refer_to_lead(
        amb, lead_col, waiting, cand, np.zeros(m.families.capacity), 1.0, need, free, chosen
    )
    assert chosen.tolist() == [amb[0].index, amb[0].index, -1, -1]
    assert free.tolist() == [5.0, 100.0, 100.0]
    assert away.tolist() == [20.0, 0.0, 0.0]
