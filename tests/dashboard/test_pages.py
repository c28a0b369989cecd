"""One module per tab: its own layout, rules and callbacks; component ids in one place."""

from __future__ import annotations

import pytest

from dashboard import ids
from dashboard.app import create_app
from dashboard.pages import PAGES

PAGE_IDS = {
    "dashboard.pages.comparison": ids.Comparison,
    "dashboard.pages.regions": ids.Regions,
    "dashboard.pages.flows": ids.Flows,
    "dashboard.pages.whatif": ids.WhatIf,
    "dashboard.pages.decision": ids.Decision,
    "dashboard.pages.runs": ids.Runs,
}
"""Page module → its namespace of ids."""


@pytest.fixture(scope="module")
def app(demo_store, tmp_path_factory):
    app = create_app(demo_store, cache_dir=tmp_path_factory.mktemp("cache"))
    yield app
    app.data.close()


def _layout_ids(node, out):
    ident = getattr(node, "id", None)
    if ident is not None:
        out.append(ident)
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            _layout_ids(child, out)
    return out


def _namespace(ident: str) -> type:
    """The namespace that declares a component id (band charts are ``Comparison.band``)."""
    declared = ids.all_ids()
    if ident not in declared and ident.startswith("g-"):
        return ids.Comparison
    (owner,) = {name.split(".")[0] for name in declared[ident]}
    return getattr(ids, owner)


def test_ids_are_unique():
    declared = ids.all_ids()
    assert {i: owners for i, owners in declared.items() if len(owners) > 1} == {}
    tabs = [page.TAB for page in ids.PAGES if hasattr(page, "TAB")]
    assert len(set(tabs)) == len(tabs) == len(PAGES)


def test_every_component_id_comes_from_ids(app):
    found = _layout_ids(app.layout, [])
    assert len(found) == len(set(found))  # no two components share an id
    declared = set(ids.all_ids())
    bands = {ids.Comparison.band(m) for m in PAGES[0].BAND_METRICS[1:]}
    assert set(found) <= declared | bands
    assert bands <= set(found)


def test_each_tab_registers_its_own_callbacks_on_its_own_components(app):
    """Callbacks live in their page's module and write only that page's components."""
    modules = set()
    for key, cb in app.callback_map.items():
        module = cb["callback"].__wrapped__.__module__
        modules.add(module)
        outputs = {o["id"] for o in _outputs(key)}
        if module == "dashboard.app":
            # the shell: the shared selection, and the calibration notice that follows it
            assert outputs in ({ids.Shell.COMPARED}, {ids.Shell.CALIBRATION})
            continue
        owners = {_namespace(ident) for ident in outputs}
        assert owners == {PAGE_IDS[module]}, (module, outputs)
        inputs = {i["id"] for i in (*cb["inputs"], *cb.get("state", []))}
        assert {_namespace(i) for i in inputs} <= {PAGE_IDS[module], ids.Shell}
    assert modules == {"dashboard.app", *PAGE_IDS}


def _outputs(key: str) -> list[dict]:
    from dash._utils import split_callback_id

    outputs = split_callback_id(key)
    return outputs if isinstance(outputs, list) else [outputs]


def test_each_page_gives_the_rules_of_its_inputs(app):
    """The gate refuses to start without a rule; each page brings the rules it needs."""
    from dashboard.context import build_context

    ctx = build_context(app.data)
    for page in PAGES:
        rules = page.rules(ctx)
        mine = PAGE_IDS[page.__name__]
        for key in rules:
            assert _namespace(key.rsplit(".", 1)[0]) is mine, (page.__name__, key)
        for notice in page.NOTICES:
            assert _namespace(notice.rsplit(".", 1)[0]) is mine
    tabs = app.layout.children[-1]
    assert [t.label for t in tabs.children] == [
        "Vergleich",
        "Regionen",
        "Geldflüsse",
        "Was-wäre-wenn",
        "Entscheidung",
        "Läufe",
    ]


def test_scheme_dropdown_uses_the_one_wording(app):
    from results import SCHEME_LABELS

    found = []

    def walk(node):
        if getattr(node, "id", None) == ids.WhatIf.SCHEME:
            found.append(node)
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list) else [children]:
            if child is not None and not isinstance(child, (str, int, float)):
                walk(child)

    walk(app.layout)
    (dropdown,) = found
    assert {o["label"] for o in dropdown.options} == set(SCHEME_LABELS.values())
