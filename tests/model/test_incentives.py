"""Incentive schemes: year-end settlement on hand-made balances (cents), the registry."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.incentives import (
    R1,
    R2,
    SCHEMES,
    Closing,
    Flat,
    IncentiveScheme,
    SchemeParameter,
    make_scheme,
    register,
    scheme_class,
    scheme_names,
    unregister,
)
from model.params import POTS, IncentiveParams


def _closing(spent_r2: list[int], budget_r2: int = 1000) -> Closing:
    n = len(spent_r2)
    alloc = np.zeros((n, 4), dtype=np.int64)
    alloc[:, R2] = budget_r2
    spent = np.zeros((n, 4), dtype=np.int64)
    spent[:, R2] = spent_r2
    return Closing(allocation=alloc, carry_in=np.zeros_like(alloc), spent=spent)


def test_none_returns_every_balance_to_the_kreis():
    c = _closing([800, 1200])
    make_scheme(IncentiveParams("none")).settle(c)
    assert c.result[:, R2].tolist() == [200, -200]
    assert not c.carry_out.any()


def test_retention_keeps_a_share_of_the_saving_for_next_years_projects():
    c = _closing([800, 1200])
    make_scheme(IncentiveParams("retention", retention_share=0.5)).settle(c)
    assert c.carry_out[:, R2].tolist() == [100, 0]
    assert c.next_carry_in[:, R1].tolist() == [100, 0]
    assert c.result[:, R2].tolist() == [100, -200]


def test_bonus_below_and_malus_above_the_corridor():
    c = _closing([800, 1000, 1300])
    bonus, malus = make_scheme(
        IncentiveParams("bonus_malus", corridor=0.1, bonus_share=0.5, malus_share=0.25)
    ).incentive_payments(c)
    # corridor [900, 1100]: bonus 0.5 * (900 - 800), malus 0.25 * (1300 - 1100)
    assert bonus.tolist() == [50, 0, 0]
    assert malus.tolist() == [0, 0, 50]


def test_balancing_moves_surplus_to_deficits_exactly():
    c = _closing([700, 1100, 1150])
    make_scheme(IncentiveParams("balancing", balancing_pots=("regional_2",))).settle(c)
    assert c.transfer_out[:, R2].tolist() == [250, 0, 0]
    assert c.transfer_in[:, R2].tolist() == [0, 100, 150]
    assert c.result[:, R2].tolist() == [50, 0, 0]


def test_flat_budget_rewards_saving_fully_on_regional_budget_2_only():
    s = make_scheme(IncentiveParams("flat"))
    assert s.savings_signal(R2) == 1.0
    assert s.savings_signal(R1) == 0.0
    assert s.flat_pots() == (R2,)


def test_unknown_scheme_is_an_error():
    with pytest.raises(ValueError, match="unknown incentive scheme"):
        make_scheme(IncentiveParams("lottery"))  # type: ignore[arg-type]


@st.composite
def scheme_params(draw: st.DrawFn) -> IncentiveParams:
    """A registered scheme with values drawn from its own parameters' metadata."""
    cls = SCHEMES[draw(st.sampled_from(scheme_names()))]
    values = {}
    for p in cls.parameters:
        if p.kind == "pots":
            values[p.name] = tuple(draw(st.lists(st.sampled_from(POTS), min_size=1, unique=True)))
        else:
            values[p.name] = draw(st.floats(p.low, p.high))
    return IncentiveParams(cls.name, values)


@given(
    spent=st.lists(st.integers(0, 10**7), min_size=1, max_size=6),
    budget=st.integers(0, 10**7),
    params=scheme_params(),
)
def test_every_scheme_closes_the_identity(spent, budget, params):
    c = _closing(spent, budget)
    s = make_scheme(params)
    bonus, malus = s.incentive_payments(c)
    assert (bonus >= 0).all() and (malus >= 0).all()
    s.settle(c)
    lhs = c.allocation + c.carry_in + c.transfer_in - c.transfer_out
    np.testing.assert_array_equal(lhs, c.spent + c.carry_out + c.result)
    assert c.transfer_in.sum() == c.transfer_out.sum()
    assert c.carry_out.sum() == c.next_carry_in.sum()
    assert all(0.0 <= s.savings_signal(k) <= 1.0 for k in range(len(POTS)))


# ------------------------------------------------------------------ the registry


def test_the_five_schemes_are_registered():
    assert scheme_names() == ("none", "retention", "bonus_malus", "flat", "balancing")
    assert scheme_class("flat") is Flat


def test_every_scheme_has_a_german_label_description_and_described_parameters():
    """Dashboard, briefing, exports and the ODD show these texts: none may be missing."""
    labels = [cls.label for cls in SCHEMES.values()]
    assert len(set(labels)) == len(labels)  # one wording, one scheme
    for name, cls in SCHEMES.items():
        assert cls.name == name
        assert cls.label.strip() and cls.label != name, name
        assert len(cls.description.split()) >= 12, name  # says what it does and where from
        for p in cls.parameters:
            assert p.description.strip() and p.whatif_assumption.strip(), (name, p.name)
            assert p.check(p.default) == p.default and p.check(p.whatif) == p.whatif


def test_params_are_checked_against_the_scheme_and_completed_with_defaults():
    assert IncentiveParams("balancing").balancing_pots == ("regional_2",)
    bm = IncentiveParams("bonus_malus", bonus_share=0.5)
    assert dict(bm.values) == {"corridor": 0.05, "bonus_share": 0.5, "malus_share": 0.0}
    assert IncentiveParams("none") == IncentiveParams(scheme="none", values={})
    for bad, needle in (
        ({"retention_share": 0.5}, "has no parameter 'retention_share'"),
        ({"corridor": 1.5}, "not between"),
        ({"corridor": True}, "expected a number"),
        ({"bonus_share": "0.5"}, "expected a number"),
        ({"corridor": float("nan")}, "not between"),
    ):
        scheme = "none" if "retention_share" in bad else "bonus_malus"
        with pytest.raises(ValueError, match=needle):
            IncentiveParams(scheme, bad)
    with pytest.raises(ValueError, match="unknown pot"):
        IncentiveParams("balancing", balancing_pots=("nowhere",))
    with pytest.raises(ValueError, match="non-empty list"):
        IncentiveParams("balancing", balancing_pots=())
    with pytest.raises(ValueError, match="given twice"):
        IncentiveParams("retention", {"retention_share": 0.1}, retention_share=0.2)
    with pytest.raises(AttributeError, match="no parameter 'corridor'"):
        _ = IncentiveParams("flat").corridor


def test_params_are_frozen_hashable_and_survive_pickle_and_asdict():
    p = IncentiveParams("retention", retention_share=0.5)
    with pytest.raises(TypeError):
        p.values["retention_share"] = 0.9  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.scheme = "flat"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(p)) == p and hash(pickle.loads(pickle.dumps(p))) == hash(p)
    assert copy.deepcopy(p) == p
    assert dataclasses.asdict(p) == {"scheme": "retention", "values": {"retention_share": 0.5}}
    assert dataclasses.replace(p, values={"retention_share": 0.2}).retention_share == 0.2


class _Unnamed(IncentiveScheme):
    label = "ohne Namen"
    description = "kein Name"


def _param(name: str, **kw) -> SchemeParameter:
    fields = {"kind": "number", "default": 0.0, "whatif": 0.0, "whatif_assumption": "Test"}
    return SchemeParameter(name, "Test", **(fields | kw))


def test_register_refuses_incomplete_or_clashing_schemes():
    with pytest.raises(ValueError, match="must set its own name"):
        register(_Unnamed)
    copy_of_flat = type("Copy", (Flat,), {"label": "x", "description": "y"})
    with pytest.raises(ValueError, match="must set its own name"):
        register(copy_of_flat)  # inherits flat's name: would replace it silently
    again = type("Again", (Flat,), {"name": "flat", "label": "x", "description": "y"})
    with pytest.raises(ValueError, match="already registered"):
        register(again)
    clash = type(
        "Clash",
        (IncentiveScheme,),
        {
            "name": "clash",
            "label": "x",
            "description": "y",
            "parameters": (_param("retention_share", unit="EUR", low=0.0, high=10.0),),
        },
    )
    with pytest.raises(ValueError, match="another meaning"):
        register(clash)
    twice = type(
        "Twice",
        (IncentiveScheme,),
        {"name": "twice", "label": "x", "description": "y", "parameters": (_param("a"),) * 2},
    )
    with pytest.raises(ValueError, match="named twice"):
        register(twice)
    assert scheme_names() == ("none", "retention", "bonus_malus", "flat", "balancing")


def test_parameter_metadata_is_checked():
    with pytest.raises(ValueError, match="not allowed"):
        _param("values")
    with pytest.raises(ValueError, match="not between"):
        _param("x", default=2.0)
    with pytest.raises(ValueError, match="low < high"):
        _param("x", low=1.0, high=0.0)
    with pytest.raises(ValueError, match="must not be empty"):
        _param("x", whatif_assumption=" ")


def test_a_registered_scheme_runs_and_is_gone_after_unregister():
    class Doubled(IncentiveScheme):
        name = "doubled_test"
        label = "Test"
        description = "Test"
        parameters = (_param("doubled_share", default=0.25),)

        def savings_signal(self, pot: int) -> float:
            return 2 * self.params.doubled_share if pot == R2 else 0.0

    register(Doubled)
    try:
        s = make_scheme(IncentiveParams("doubled_test"))
        assert isinstance(s, Doubled) and s.savings_signal(R2) == 0.5
    finally:
        unregister("doubled_test")
    with pytest.raises(ValueError, match="unknown incentive scheme"):
        IncentiveParams("doubled_test")


def test_regression_a_scheme_without_label_crashed_the_dashboard_at_start():
    """The app's own label table lacked a new scheme: a KeyError when the app started.

    A scheme now carries its label; one without cannot be registered, and the labels
    every reader uses are the classes' own (one wording in app, briefing and exports).
    """
    from results import SCHEME_LABELS

    unlabelled = type("Unlabelled", (IncentiveScheme,), {"name": "unlabelled", "description": "x"})
    with pytest.raises(ValueError, match="must set its own label"):
        register(unlabelled)
    assert "unlabelled" not in SCHEMES
    assert dict(SCHEME_LABELS) == {name: cls.label for name, cls in SCHEMES.items()}
