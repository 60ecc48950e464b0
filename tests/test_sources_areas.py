import json

import pytest
from shapely.geometry import Point, shape

from outreach.errors import InputError
from outreach.sources.areas import read_areas
from tests.support import DATA
from tests.support.readers import ReaderContract


@pytest.fixture(scope="module")
def shipped():
    return read_areas(DATA / "areas.geojson").areas


def test_shipped_areas_are_the_communes_of_13_with_marseille_split_and_paris_arrondissements(shipped):
    codes = {a.code for a in shipped}
    assert len(shipped) == 118 + 16 + 20
    assert "13055" not in codes and "75056" not in codes
    assert {f"132{i:02d}" for i in range(1, 17)} <= codes
    assert {f"751{i:02d}" for i in range(1, 21)} <= codes
    by_code = {a.code: a for a in shipped}
    assert by_code["13004"].name == "Arles" and by_code["13004"].population == 51811
    assert by_code["75116"].postcodes == ("75016", "75116")
    assert all(a.population and a.postcodes for a in shipped)


def test_representative_points_lie_inside_their_polygons(shipped):
    for area in shipped:
        assert shape(area.geometry).contains(Point(area.lon, area.lat)), area.code


def test_national_communes_as_points():
    areas = read_areas(DATA / "national" / "communes.csv.gz").areas
    metropolitan = [a for a in areas if not a.departement.startswith("97")]
    assert 34_700 < len(metropolitan) < 34_900
    codes = {a.code for a in areas}
    assert "75056" not in codes and "75101" in codes and "69381" in codes
    assert all(a.population is not None for a in areas)


def test_csv_points_with_optional_population(tmp_path):
    path = tmp_path / "zones.csv"
    path.write_text("code,name,lat,lon\n13005,Aubagne,43.2927,5.5708\n", encoding="utf-8")
    area = read_areas(path).areas[0]
    assert (area.code, area.population, area.departement) == ("13005", None, "13")


def test_csv_bad_population_and_coordinates_are_reported_by_row(tmp_path):
    path = tmp_path / "zones.csv"
    path.write_text("code,name,lat,lon,population\n1,A,43.3,5.4,beaucoup\n2,B,,5.4,10\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_areas(path)
    text = str(err.value)
    assert "ligne 2" in text and "beaucoup" in text and "ligne 3" in text


def test_polygon_in_lambert93_is_refused(tmp_path):
    path = tmp_path / "zones.geojson"
    square = [[[892000, 6247000], [893000, 6247000], [893000, 6248000], [892000, 6247000]]]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "X", "name": "X"},
         "geometry": {"type": "Polygon", "coordinates": square}}]}), encoding="utf-8")
    with pytest.raises(InputError, match="Lambert-93"):
        read_areas(path)


def test_invalid_json_gives_line_and_column(tmp_path):
    path = tmp_path / "zones.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [\n  {"type": }\n]}', encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_areas(path)
    assert "ligne 2" in str(err.value)


class TestReaderContract(ReaderContract):
    reader = staticmethod(read_areas)
    sample = DATA / "areas.geojson"
    attribute = "areas"
