"""The targets file: sources, roles, tolerances, statistics."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from calibration.targets import Statistic, Target, load_targets


def test_targets_file_is_valid_with_sources_and_both_roles() -> None:
    ts = load_targets()
    fit, holdout = ts.by_role("fit"), ts.by_role("holdout")
    assert len(fit) >= 8 and len(holdout) >= 4
    ids = {t.id for t in ts.targets}
    # the figures named in the issue are all there
    assert {"faelle_34", "faelle_35a", "inobhutnahmen_42", "ausgaben_hze_je_u21"} <= ids
    assert {"ni_anteil_ambulant", "ni_stationaer_je_1000", "sozialraum_faelle_lk"} <= ids
    assert {"beratungstermine_lk", "dauer_33"} <= ids
    for t in ts.targets:
        assert "http" in t.source and t.scale_note and t.derivation
        assert 2000 <= t.year <= 2024
        if t.role == "holdout":
            assert t.holdout_reason
    spend = next(t for t in ts.targets if t.id == "ausgaben_hze_je_u21")
    # the published 798 € less the Erziehungsberatung the model does not have (35,8 €)
    assert spend.value == 762.2 and spend.year == 2023 and spend.role == "fit"
    assert spend.tolerance == 0.1


def _target(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "x",
        "label": "X",
        "statistic": {"kind": "sum", "metrics": ["cases_per_10k_31"]},
        "value": 10.0,
        "unit": "je 10.000 u21",
        "year": 2023,
        "source": "Quelle https://example.org",
        "derivation": "d",
        "scale_note": "s",
        "role": "fit",
        "tolerance": 0.2,
    }
    base.update(changes)
    return base


@pytest.mark.parametrize(
    "changes",
    [
        {"source": "ohne Adresse, nur Text"},
        {"role": "holdout"},  # no holdout_reason
        {"tolerance": None},  # fit target without tolerance
        {"tolerance": 0.2, "bounds": [1.0, 2.0]},
        {"statistic": {"kind": "share", "metrics": ["a"]}},  # share without denominator
        {"statistic": {"kind": "duration_months", "metrics": ["a"]}},
    ],
)
def test_invalid_targets_are_rejected(changes: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Target.model_validate(_target(**changes))


def test_statistics_from_yearly_figures() -> None:
    yearly = {
        "cases_33": np.array([120.0, 130.0]),
        "new_cases_33": np.array([20.0, 30.0]),
        "ended_cases_33": np.array([20.0, 28.0]),
        "under21": np.array([1000.0, 1000.0]),
    }
    dur = Statistic(kind="duration_months", codes=("33",)).compute(yearly)
    # mean stock (100+100)/2 and (100+102)/2 → 201 over 48 endings per 24 months
    assert dur == pytest.approx(12 * (100 + 101) / 48)
    stock = Statistic(kind="stock_per_u21", codes=("33",), per=1000).compute(yearly)
    assert stock == pytest.approx((100 + 102) / 2)
    share = Statistic(kind="share", metrics=("new_cases_33",), denominator=("cases_33",)).compute(
        yearly
    )
    assert share == pytest.approx(50 / 250)
    hit = Target.model_validate(_target())
    assert hit.hit(11.9) and not hit.hit(12.1) and hit.hit_range == pytest.approx((8.0, 12.0))


HZE_SPENDING = (
    "spent_help_27_2",
    "spent_help_29",
    "spent_help_30",
    "spent_help_31",
    "spent_help_32",
    "spent_help_33",
    "spent_help_34",
    "spent_help_35",
    "spent_help_41",
)
"""The spending of the total HzE target (HzE and §41 without §28, §35a and §42)."""


def test_spending_structure_targets_are_sourced_and_have_roles() -> None:
    """Issue 14: the split of spending over help types, not only its total."""
    ts = {t.id: t for t in load_targets().targets}
    spfh = ts["ausgaben_31_je_u21"]
    # Destatis 2022: rund 1,2 Mrd. € for SPFH / 16,702 Mio. under 21 (HzE-Monitor 2022)
    assert spfh.role == "fit" and spfh.year == 2022 and spfh.tolerance == 0.2
    assert spfh.value == pytest.approx(1.2e9 / 16_702_000, abs=0.05)
    assert spfh.statistic.kind == "per_u21" and spfh.statistic.metrics == ("spent_help_31",)
    assert "destatis.de" in spfh.source and spfh.tolerance_note
    placement = ts["ausgaben_fremdunterbringung_anteil"]
    # etwa 7,2 Mrd. € / (11.975.026 T€ − Erziehungsberatung 567,6 Mio. €)
    assert placement.value == pytest.approx(7.2e9 / (11_975_026e3 - 567.6e6), abs=0.0005)
    assert placement.role == "holdout" and placement.holdout_reason
    assert placement.statistic.kind == "share"
    assert placement.statistic.metrics == ("spent_help_33", "spent_help_34")
    # the denominator is the total HzE target's spending
    assert placement.statistic.denominator == HZE_SPENDING
    assert ts["ausgaben_hze_je_u21"].statistic.metrics == HZE_SPENDING
    flexible = ts["ausgaben_27_2_je_u21"]
    # HzE-Monitor, Steckbrief §27.2: 557.897 T€ in 2022
    assert flexible.value == pytest.approx(557_897e3 / 16_702_000, abs=0.05)
    assert flexible.role == "holdout" and "hzemonitor" in flexible.source
    for t in (spfh, placement, flexible):
        assert t.statistic.required_metrics() <= set(HZE_SPENDING) | {"under21"}


def test_spending_statistics_on_a_known_table() -> None:
    """Per under-21 and share of spending, on two years of hand-made figures."""
    yearly = {m: np.array([100.0, 100.0]) for m in HZE_SPENDING}
    yearly["spent_help_31"] = np.array([200.0, 400.0])
    yearly["spent_help_33"] = np.array([300.0, 300.0])
    yearly["spent_help_34"] = np.array([900.0, 1100.0])
    yearly["under21"] = np.array([10.0, 20.0])
    ts = {t.id: t for t in load_targets().targets}
    # per u21: the mean of the years' ratios, 200/10 and 400/20
    assert ts["ausgaben_31_je_u21"].statistic.compute(yearly) == pytest.approx(20.0)
    # share: pooled over the years, (600 + 2000) / (2 × (6 × 100) + 600 + 600 + 2000)
    share = ts["ausgaben_fremdunterbringung_anteil"].statistic.compute(yearly)
    assert share == pytest.approx(2600.0 / (1200.0 + 600.0 + 600.0 + 2000.0))
    assert ts["ausgaben_27_2_je_u21"].statistic.compute(yearly) == pytest.approx(7.5)
