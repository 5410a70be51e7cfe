"""Other domains add sections to shared pages through `caseapp.panels`, without the pages importing them."""
import pytest

from caseapp import panels
from tests.factories import case_file_of, make_beneficiary


@pytest.fixture
def test_panel(app, tmp_path):
    loader_dir = tmp_path / "templates"
    (loader_dir / "test").mkdir(parents=True)
    (loader_dir / "test" / "_panel.html").write_text('<section class="test-panel">{{ data.words }}</section>')
    from jinja2 import ChoiceLoader, FileSystemLoader

    original = app.jinja_loader
    app.jinja_env.loader = ChoiceLoader([app.jinja_env.loader, FileSystemLoader(str(loader_dir))])
    yield
    app.jinja_env.loader = original
    for slot in panels.SLOTS:
        panels._PANELS[slot].pop("test", None)


def test_a_registered_case_file_panel_appears_on_the_case_page_only_when_it_has_something(client, login_as, test_panel):
    me = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=me), "KEM")
    panels.register_panel("case_file", "test", order=1, template="test/_panel.html",
                          context=lambda cf, viewer: {"words": f"panel for {cf.structure.code}"} if viewer.id == me.id else None)
    page = client.get(f"/cases/{case_file.id}").get_data(as_text=True)
    assert '<section class="test-panel">panel for KEM</section>' in page

    panels.register_panel("case_file", "test", order=1, template="test/_panel.html", context=lambda cf, viewer: None)
    assert "test-panel" not in client.get(f"/cases/{case_file.id}").get_data(as_text=True)


def test_an_unknown_slot_is_refused():
    with pytest.raises(ValueError):
        panels.register_panel("nowhere", "x", order=1, template="x.html", context=lambda: None)
