"""What an FLS contains: direct contact is not free (``Region.staff_hours_per_fls``).

A billed FLS takes ``direct_contact_share + indirect_hours_per_fls`` staff hours. At
an equal FLS rate, a higher direct-contact share raises the providers' cost per
billed FLS (and, with the same staff, lowers the FLS they can bill), while the help's
effect follows the direct contact (``FamilyTable.help_reduction``).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from model.run import run_once
from tests.fixtures.factory import REGIONS, make_params

AMBULANT = ("sozialraumtraeger", "ambulant")


def _params(direct: float):
    regions = tuple(
        dataclasses.replace(r, direct_contact_share=direct, indirect_hours_per_fls=0.25)
        for r in REGIONS
    )
    return make_params(scale=0.1, years=2, burn_in_months=24, regions=regions)


def _cost_per_billed_fls(direct: float, seed: int) -> tuple[float, float]:
    p = _params(direct)
    pr = run_once(p, seed).providers
    amb = pr[pr.role.isin(AMBULANT)]
    billed = amb.revenue_eur.sum() / p.provider.fls_rate
    return float(amb.cost_eur.sum() / billed), float(billed)


def test_staff_hours_per_fls_add_direct_and_indirect_time():
    r = dataclasses.replace(REGIONS[0], direct_contact_share=0.9, indirect_hours_per_fls=0.25)
    assert r.staff_hours_per_fls == 1.15
    assert all(reg.staff_hours_per_fls == 1.0 for reg in make_params().regions)


def test_more_direct_contact_raises_the_cost_per_billed_fls():
    low = np.array([_cost_per_billed_fls(0.6, seed) for seed in (1, 2, 3)])
    high = np.array([_cost_per_billed_fls(0.9, seed) for seed in (1, 2, 3)])
    assert high[:, 0].mean() > 1.1 * low[:, 0].mean()
    assert high[:, 1].mean() < low[:, 1].mean()
