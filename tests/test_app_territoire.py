from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

PAGE = str(ROOT / "app/pages/territoire.py")


def test_page_renders_the_shipped_network():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Bibliothèques"] == "127" and metrics["Zones"] == "134"  # Bouches-du-Rhône first
    assert at.selectbox(key="territory_scope").value == "13"
    assert len(at.tabs) == 3
    assert any("Bassin de chaque bibliothèque" in m.value for m in at.markdown)


def test_changing_departement_and_threshold():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.selectbox(key="territory_scope").set_value("01").run()
    at.slider(key="territory_threshold").set_value(5).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Zones à plus de 5 km"]) > 0
    at.radio(key="territory_colour").set_value("distance").run()
    assert any("plus de 20 km" in m.value for m in at.markdown)
