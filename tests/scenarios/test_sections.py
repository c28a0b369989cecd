"""Schema sections: strict, mirroring the engine parameters, checking what they can alone."""

import dataclasses

import pytest
from pydantic import BaseModel, ValidationError

from model import params as mp
from scenarios import declarations, documents, quantities, sections
from scenarios.errors import from_validation_error
from scenarios.sections import BudgetSection, IncentiveSection
from tests.scenarios.helpers import base_doc


def first_error(model: type[BaseModel], data: dict):
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return from_validation_error(info.value, "x.yaml", doc=data)


# ------------------------------------------------------------------ sections


SCHEMA_MODULES = (quantities, sections, declarations, documents)
"""The modules that hold the models of scenario and help-type files."""


def _all_models() -> list[type[BaseModel]]:
    found = []
    for module in SCHEMA_MODULES:
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, BaseModel)
                and obj.__module__ == module.__name__
            ):
                found.append(obj)
    return found


def test_every_model_forbids_unknown_keys():
    models = _all_models()
    assert len(models) > 15
    for model in models:
        assert model.model_config.get("extra") == "forbid", model.__name__


@pytest.mark.parametrize(
    ("section", "params_cls"),
    [
        (sections.PopulationSection, mp.PopulationParams),
        (sections.NeedSection, mp.NeedParams),
        (sections.RecognitionSection, mp.RecognitionParams),
        (sections.CounsellingSection, mp.CounsellingParams),
        (sections.ProviderSection, mp.ProviderParams),
        (sections.ProviderSpecSection, mp.ProviderSpec),
        (sections.ProjectSection, mp.ProjectParams),
        (sections.BudgetSection, mp.BudgetParams),
        (sections.IncentiveSection, mp.IncentiveParams),
        (sections.HelpTypeSection, mp.HelpType),
    ],
)
def test_sections_mirror_the_engine_parameters(section, params_cls):
    """A field added to model/params.py must also be added to the schema (and back)."""
    assert set(section.model_fields) == {f.name for f in dataclasses.fields(params_cls)}


def test_region_section_mirrors_region_except_municipality_names():
    fields = {f.name for f in dataclasses.fields(mp.Region)}
    assert set(sections.RegionSection.model_fields) == fields


def test_sozialraumindex_needs_weights():
    data = base_doc()["budget"]
    data["allocation_key"] = "sozialraumindex"
    data["index_weights"] = {}
    with pytest.raises(ValidationError, match="braucht Gewichte"):
        BudgetSection.model_validate(data)


# ------------------------------------------------------------------ incentive


def q(value):
    return {"value": value, "unit": "share", "assumption": "Test"}


@pytest.mark.parametrize(
    "data",
    [
        {"scheme": "none"},
        {"scheme": "flat"},
        {"scheme": "retention", "retention_share": q(0.5)},
        {
            "scheme": "bonus_malus",
            "corridor": q(0.05),
            "bonus_share": q(0.5),
            "malus_share": q(0.25),
        },
        {"scheme": "balancing"},
        {"scheme": "balancing", "balancing_pots": ["regional_2", "regional_1"]},
    ],
)
def test_incentive_schemes_with_their_parameters(data):
    assert IncentiveSection.model_validate(data).scheme == data["scheme"]


@pytest.mark.parametrize(
    ("data", "field", "needle"),
    [
        ({"scheme": "retention"}, "retention_share", "braucht diesen Parameter"),
        ({"scheme": "bonus_malus", "corridor": q(0.05)}, "bonus_share", "braucht"),
        ({"scheme": "none", "retention_share": q(0.5)}, "retention_share", "gehört nicht"),
        (
            {"scheme": "balancing", "balancing_pots": ["nowhere"]},
            "balancing_pots.0",
            "nicht erlaubt",
        ),
        ({"scheme": "cashback"}, "scheme", "nicht erlaubt"),
    ],
)
def test_incentive_errors(data, field, needle):
    err = first_error(IncentiveSection, data)
    assert err.field.endswith(field) or err.field == field
    assert needle in err.message


# ------------------------------------------------------------------ where a provider works


def _provider(**extra) -> dict:
    return {
        "name": "Träger A",
        "role": "sozialraumtraeger",
        "staff_fte": {"value": 5.0, "unit": "FTE", "assumption": "Test"},
        "reserves": {"value": 10000.0, "unit": "EUR", "assumption": "Test"},
        **extra,
    }


def test_a_provider_may_serve_some_regions():
    spec = sections.ProviderSpecSection.model_validate(_provider(regions=["Nord", "Ost"]))
    assert spec.regions == ["Nord", "Ost"] and spec.region is None
    led = sections.ProviderSpecSection.model_validate(
        _provider(regions=["Nord", "Ost"], lead_regions=["Ost"])
    )
    assert led.lead_regions == ["Ost"]


@pytest.mark.parametrize(
    ("extra", "field", "needle"),
    [
        ({"region": "Nord", "regions": ["Nord", "Ost"]}, "regions", "schließen sich aus"),
        ({"regions": ["Nord", "Nord"]}, "regions", "doppelt"),
        ({"regions": []}, "regions", "mindestens 1"),
        (
            {"regions": ["Nord", "Ost"], "lead_regions": ["Süd"]},
            "lead_regions",
            "Region „Süd“ steht nicht unter regions",
        ),
        ({"region": "Nord", "lead_regions": ["Nord"]}, "lead_regions", "ohne region"),
        (
            {"role": "ambulant", "regions": ["Nord", "Ost"], "lead_regions": ["Nord"]},
            "lead_regions",
            "nur ein Sozialraumträger",
        ),
    ],
)
def test_where_a_provider_works_is_checked(extra, field, needle):
    err = first_error(sections.ProviderSpecSection, _provider(**extra))
    assert err.field == field
    assert needle in err.message


def test_every_problem_of_a_provider_is_reported():
    """Two faults of one provider: two lines, each with its field."""
    err = first_error(
        sections.ProviderSpecSection,
        _provider(role="ambulant", region="Nord", regions=["Ost", "Ost"], lead_regions=["Ost"]),
    )
    fields = [p.field for p in err.problems()]
    assert fields.count("regions") == 2 and fields.count("lead_regions") == 2
    assert len(str(err).splitlines()) == 4


def test_a_scheme_parameter_gets_its_type_from_the_registry():
    """Kind, unit and range of a registered scheme's number become the schema's checks."""
    from model.incentives import IncentiveScheme, SchemeParameter, register, unregister
    from scenarios.paths import annotation_at
    from scenarios.quantities import declared_unit

    cap = SchemeParameter(
        "cap_factor", "Obergrenze", "number", 1.0, 2.0, "Test", unit="factor", low=0.5, high=3.0
    )
    scheme = type(
        "Capped",
        (IncentiveScheme,),
        {"name": "capped_test", "label": "Test", "description": "Test", "parameters": (cap,)},
    )
    register(scheme)

    def data(value, unit="factor"):
        return {
            "scheme": "capped_test",
            "cap_factor": {"value": value, "unit": unit, "source": "x"},
        }

    try:
        assert IncentiveSection.model_validate(data(2.5)).values["cap_factor"].value == 2.5
        for given, needle in ((data(4.0), "zwischen 0,5 und 3"), (data(2.0, "share"), "Einheit")):
            err = first_error(IncentiveSection, given)
            assert err.field == "cap_factor" and needle in err.message
        tp, removable = annotation_at(["incentive", "cap_factor"], documents.ScenarioDoc)
        assert declared_unit(tp) == "factor" and removable
        assert "cap_factor" in IncentiveSection.document_fields()
    finally:
        unregister("capped_test")
    assert "cap_factor" not in IncentiveSection.document_fields()


def test_indicator_names_of_the_schema_are_the_engines():
    from typing import get_args

    from model.allocation import INDICATORS
    from scenarios.sections import Indicator

    assert get_args(Indicator) == INDICATORS
