"""The branch readers' decisions that the shipped files never reach, and the French messages users read
(issue 19's mutation survivors)."""

import json

import pytest

from outreach.errors import InputError
from outreach.sources.branches import (
    branch_frame,
    branches_of,
    insee_for,
    normalise_id,
    open_flag,
    paris_arrondissement,
    read_branches,
)


def point(properties, lon=5.3698, lat=43.2965):
    return {"type": "Feature", "properties": properties, "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def read_geojson(*features):
    data = json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()
    return read_branches("", data=data, name="bibs.geojson")


def read_csv(text, **kwargs):
    return read_branches("", data=text.encode(), name="reseau.csv", **kwargs)


def test_every_mistake_of_a_geojson_is_told_at_once_with_what_to_do():
    outline = {"type": "Polygon", "coordinates": [[[5.3, 43.2], [5.4, 43.2], [5.4, 43.3], [5.3, 43.2]]]}
    with pytest.raises(InputError) as err:
        read_geojson(
            point({"id": "1", "name": "Alcazar"}),
            {"type": "Feature", "properties": {"id": "2", "name": "Contour"}, "geometry": outline},
            point({"name": "Sans identifiant"}),
            point({"id": "1.0", "name": "Alcazar bis"}),
            {"type": "Feature", "properties": {"id": "4"}, "geometry": None},
            point({"id": "5"}, lon=-73.98, lat=40.75),
        )
    assert str(err.value) == (
        "bibs.geojson : 5 problème(s) à corriger :\n"
        "  - objet n°2 (id = 2) : géométrie de type Polygon : une bibliothèque est un point. Convertissez la "
        "couche en points (centroïdes).\n"
        "  - objet n°3 (name = Sans identifiant) : identifiant manquant. Ajoutez une propriété « id » (par exemple "
        "le code_bib du ministère).\n"
        "  - objet n°4 (id = 1.0) : identifiant 1 en double (déjà utilisé par l'objet n°1). Chaque bibliothèque "
        "doit avoir un identifiant unique.\n"
        "  - objet n°5 (id = 4) : objet sans géométrie. Placez la bibliothèque (un point) ou supprimez l'objet.\n"
        "  - objet n°6 (id = 5) : le point (latitude 40.75, longitude -73.98) est hors de France. Vérifiez les "
        "coordonnées : elles doivent être en degrés WGS84 (EPSG:4326).")


def test_geojson_properties_under_their_other_names():
    read = read_geojson(
        point({"code_bib": 2.0, "nom": "Alcazar", "adresse": "58 cours Belsunce", "cp": "13001",
               "ville": "Marseille", "code_insee_commune": "13201", "statut": "Municipal", "surface": "18000",
               "url": "https://www.bmvr.marseille.fr", "opening_hours": "Tu-Sa 11:00-19:00",
               "facebook_page_id": "123", "address_type": "Bibliothèque principale", "open_to_public": "oui"}),
        point({"id": "canopee", "postcode": "75001", "insee": "75056", "surface_m2": 1000.5,
               "departement": "75"}, lon=2.3476, lat=48.8618),
        point({"identifiant": "x", "libelle": "Relais", "city": "Aubagne", "address": "Place", "status": "Assoc."}),
        point({"id": "aubagne", "insee": "13005", "postcode": "13400"}, lon=5.5708, lat=43.2927),
    )
    alcazar, canopee, relais, aubagne = read.branches
    assert alcazar.model_dump() == {
        "id": "2", "name": "Alcazar", "address": "58 cours Belsunce", "postcode": "13001", "city": "Marseille",
        "insee": "13201", "departement": "13", "status": "Municipal", "address_type": "Bibliothèque principale",
        "open_to_public": True, "surface_m2": 18000.0, "lat": 43.2965, "lon": 5.3698,
        "url": "https://www.bmvr.marseille.fr", "opening_hours": "Tu-Sa 11:00-19:00", "facebook_page_id": "123"}
    assert (canopee.name, canopee.insee, canopee.departement, canopee.surface_m2) == (
        "Bibliothèque canopee", "75101", "75", 1000.5)
    assert (relais.name, relais.city, relais.address, relais.status) == ("Relais", "Aubagne", "Place", "Assoc.")
    assert (relais.surface_m2, relais.url, relais.opening_hours, relais.insee) == (None, "", "", "")
    assert (relais.postcode, relais.departement) == ("", "")
    assert (aubagne.insee, aubagne.postcode, aubagne.departement) == ("13005", "13400", "13")
    assert read.path == "bibs.geojson"


def test_csv_mistakes_are_told_by_line_with_what_to_do():
    text = ("id,name,lat,lon\n"
            "1,Alcazar,43.2996,5.3795\n"
            "2,Sans lieu,,\n"
            "3,Illisible,quarante,5.4\n"
            ",Sans id,43.3,5.4\n"
            "1.0,Alcazar bis,43.30,5.38\n"
            "4,Inversée,5.38,43.30\n")
    with pytest.raises(InputError) as err:
        read_csv(text)
    assert str(err.value) == (
        "reseau.csv : 5 problème(s) à corriger :\n"
        "  - ligne 3 : ni coordonnées ni adresse. Renseignez lat et lon, ou l'adresse.\n"
        "  - ligne 4 : coordonnées illisibles (lat « quarante », lon « 5.4 »). Écrivez lat et lon en degrés "
        "décimaux, par exemple 43,2965 et 5,3698.\n"
        "  - ligne 5 : identifiant vide. Renseignez la colonne id.\n"
        "  - ligne 6 : identifiant 1 en double (déjà en ligne 2). Chaque bibliothèque doit avoir un identifiant "
        "unique.\n"
        "  - ligne 7 : latitude et longitude inversées (latitude 5.38, longitude 43.3). Inversez les deux "
        "valeurs : en GeoJSON l'ordre est [longitude, latitude] ; dans un CSV, vérifiez les colonnes lat et lon.")


def test_csv_with_only_one_coordinate_column_says_which_value_is_unreadable():
    with pytest.raises(InputError) as err:
        read_csv("id,name,lat\n1,A,43.3\n")
    assert "colonne(s) manquante(s) : lon" in str(err.value)
    with pytest.raises(InputError) as err:
        read_csv("id,name,lat,lon,adresse\n1,A,,5.4,\n")
    assert str(err.value).endswith("ligne 2 : coordonnées illisibles (lat «  », lon « 5.4 »). Écrivez lat et "
                                   "lon en degrés décimaux, par exemple 43,2965 et 5,3698.")


@pytest.mark.parametrize("header,missing,fix", [
    ("name,lat,lon", "id", "Ajoutez une colonne « id » qui identifie chaque bibliothèque."),
    ("id,lat,lon", "name", "Ajoutez une colonne « name » (ou « nom ») avec le nom de la bibliothèque."),
    ("id,name,lat", "lon", "Ajoutez les colonnes lat et lon (degrés WGS84) ou une colonne « adresse » à "
                                "géocoder."),
    ("id,name,lon", "lat", "Ajoutez les colonnes lat et lon (degrés WGS84) ou une colonne « adresse » à "
                                "géocoder."),
])
def test_missing_columns_are_named_with_what_to_add(header, missing, fix):
    with pytest.raises(InputError) as err:
        read_csv(f"{header}\nx,y,z\n")
    assert str(err.value) == (f"reseau.csv — ligne 1 (en-tête) : colonne(s) manquante(s) : {missing} (colonnes "
                              f"trouvées : {header.replace(',', ', ')}). {fix}")


def test_csv_optional_columns_fill_the_branches():
    text = ("identifiant;nom;latitude;longitude;adresse;cp;ville;insee;departement;url;facebook_page_id\n"
            "2.0;Alcazar;43,2996;5,3795;58 cours Belsunce;13001;Marseille;13201;;https://bmvr.fr;42\n"
            "canopee;;48.8618;2.3476;;75001;Paris;;;;\n"
            "ajaccio;Ajaccio;41.9192;8.7386;;20000;;;2A;;\n")
    alcazar, canopee, ajaccio = read_csv(text).branches
    assert (alcazar.id, alcazar.name, alcazar.address, alcazar.postcode, alcazar.city) == (
        "2", "Alcazar", "58 cours Belsunce", "13001", "Marseille")
    assert (alcazar.insee, alcazar.departement, alcazar.url, alcazar.facebook_page_id) == (
        "13201", "13", "https://bmvr.fr", "42")
    assert (canopee.name, canopee.insee, canopee.departement) == ("Bibliothèque canopee", "75101", "75")
    assert ajaccio.departement == "2A"
    minimal = read_csv("id,name,lat,lon\n1,A,43.3,5.4\n").branches[0]
    assert (minimal.address, minimal.postcode, minimal.city, minimal.insee, minimal.departement) == ("", "", "", "",
                                                                                                     "")


class FakeGeocoder:
    """Stands for the geocoding service in the reader's own logic (the BAN itself is tested with a local
    server in test_sources_branches.py): it answers from a table and records what it was asked."""

    def __init__(self, answers):
        self.answers, self.asked = answers, []

    def geocode_many(self, queries, progress=None):
        self.asked.append(list(queries))
        return {q: self.answers[q] for q in queries if q in self.answers}


def test_addresses_are_geocoded_with_their_postcode_and_town_and_missing_ones_named():
    geocoder = FakeGeocoder({"58 cours Belsunce 13001 Marseille": (43.2996, 5.3795),
                             "Place de l'Hôtel de ville": (43.2927, 5.5708)})
    text = ("id,name,adresse,code_postal,ville,lat,lon\n"
            "alc,Alcazar,58 cours Belsunce,13001,Marseille,,\n"
            "aub,Aubagne,Place de l'Hôtel de ville,,,,\n"
            "gps,Donnée,ignorée,13400,Aubagne,43.29,5.57\n")
    read = read_csv(text, geocoder=geocoder)
    assert geocoder.asked == [["58 cours Belsunce 13001 Marseille", "Place de l'Hôtel de ville"]]
    assert [(b.id, b.lat, b.lon) for b in read.branches] == [("alc", 43.2996, 5.3795), ("aub", 43.2927, 5.5708),
                                                             ("gps", 43.29, 5.57)]
    assert read.branches[0].address == "58 cours Belsunce"
    with pytest.raises(InputError) as err:
        read_csv("id,name,adresse\n1,Nulle part,999 rue Imaginaire\n", geocoder=FakeGeocoder({}))
    assert str(err.value) == (
        "reseau.csv : 1 problème(s) à corriger :\n  - ligne 2 : adresse introuvable : « 999 rue Imaginaire ». "
        "Complétez l'adresse (numéro, voie, code postal, commune) ou donnez lat et lon.")


def test_a_geocoder_failure_names_the_file_and_keeps_its_advice():
    class Down:
        def geocode_many(self, queries, progress=None):
            raise InputError("service de géocodage injoignable.", where="adresses", fix="Donnez lat et lon.",
                             field="adresse")

    with pytest.raises(InputError) as err:
        read_csv("id,name,adresse\n1,A,1 rue B\n", geocoder=Down())
    assert str(err.value) == "reseau.csv — adresses : service de géocodage injoignable. Donnez lat et lon."
    assert err.value.field == "adresse"


MINISTRY = ("code_bib;nom_de_l_etablissement;adresse;complement;cp;ville;code_insee_commune;code_departement;"
            "departement;statut;type_adresse;surface;latitude;longitude\n")


def test_a_ministry_extract_keeps_the_located_libraries_and_says_what_it_skipped():
    text = MINISTRY + (
        "1.0;Alcazar;58 cours Belsunce;BP 1;13001;Marseille;13201;13;Bouches-du-Rhône;Municipal;"
        "Bibliothèque principale;18000;43.2996;5.3795\n"
        "2.0;;Place;;75001;Paris;75056;;;Municipal;Lieu uniquement administratif;;48.8618;2.3476\n"
        "3.0;Ajaccio;;;20000;Ajaccio;;;Corse-du-Sud;Municipal;Bibliobus;12,5;41.9192;8.7386\n"
        "4.0;Sans lieu;;;13400;Aubagne;13005;13;;;;;;\n"
        ";Sans code;;;13400;Aubagne;13005;13;;;;;43.29;5.57\n")
    read = read_branches("", data=text.encode(), name="biblio.csv")
    alcazar, paris, ajaccio = read.branches
    assert (alcazar.id, alcazar.name, alcazar.address, alcazar.insee, alcazar.departement) == (
        "1", "Alcazar", "58 cours Belsunce BP 1", "13201", "13")
    assert (alcazar.status, alcazar.surface_m2, alcazar.open_to_public) == ("Municipal", 18000.0, True)
    assert (paris.name, paris.insee, paris.departement, paris.open_to_public) == ("Bibliothèque 2", "75101", "75",
                                                                                 False)
    assert (ajaccio.departement, ajaccio.surface_m2, ajaccio.open_to_public) == ("2A", 12.5, False)
    assert ajaccio.address == "" and paris.surface_m2 is None
    assert read.notes == ["biblio.csv : 1 bibliothèque(s) sans coordonnées ignorée(s).",
                          "biblio.csv : 1 ligne(s) sans code_bib ignorée(s)."]


def test_a_ministry_extract_with_every_row_located_has_no_note_and_duplicates_are_refused():
    text = MINISTRY + "1;A;;;13001;Marseille;13201;13;;;;;43.30;5.38\n"
    assert read_branches("", data=text.encode(), name="biblio.csv").notes == []
    text += "1.0;B;;;13001;Marseille;13201;13;;;;;43.31;5.39\n2;C;;;13001;Marseille;13201;13;;;;;95;5.39\n"
    with pytest.raises(InputError) as err:
        read_branches("", data=text.encode(), name="biblio.csv")
    assert str(err.value) == (
        "biblio.csv : 2 problème(s) à corriger :\n"
        "  - ligne 3 (code_bib 1) : code_bib 1 en double (déjà en ligne 2). Supprimez le doublon ou corrigez le "
        "code.\n"
        "  - ligne 4 (code_bib 2) : coordonnées impossibles : latitude 95, longitude 5.39. La latitude doit être "
        "entre -90 et 90, la longitude entre -180 et 180.")


def test_a_ministry_extract_with_only_the_required_columns():
    text = "code_bib;nom_de_l_etablissement;latitude;longitude\n7;Relais;43.3;5.4\n"
    branch = read_branches("", data=text.encode(), name="biblio.csv").branches[0]
    assert (branch.id, branch.address, branch.postcode, branch.insee, branch.departement) == ("7", "", "", "", "")


def test_an_unknown_format_is_refused_with_the_formats_accepted():
    with pytest.raises(InputError) as err:
        read_branches("", data=b"x", name="bibs.xlsx")
    assert str(err.value) == ("bibs.xlsx : format non reconnu pour une liste de bibliothèques. Fournissez un "
                              "fichier .geojson ou .csv.")
    assert read_branches("", data=b"id\tname\tlat\tlon\n1\tA\t43.3\t5.4\n", name="BIBS.TSV").branches[0].id == "1"
    assert read_branches("", data=b"id;name;lat;lon\n2;B;43.3;5.4\n", name="export.TXT").branches[0].id == "2"


@pytest.mark.parametrize("value,expected", [("2.0", "2"), (" 17615 ", "17615"), ("A.0", "A.0"), ("2.05", "2.05"),
                                            (3, "3"), ("1.0.0", "1.0.0")])
def test_ministry_codes_written_as_floats_become_integers(value, expected):
    assert normalise_id(value) == expected


@pytest.mark.parametrize("value,expected", [("", True), (None, True), ("faux", False), ("NO", False),
                                            (" non ", False), ("oui", True), (0, False), (1, True)])
def test_open_flag(value, expected):
    assert open_flag(value) is expected


@pytest.mark.parametrize("insee,postcode,expected", [("75056", "75005", "75105"), ("", "75012", "75112"),
                                                     ("75056", "", "75056"), ("", "13001", ""),
                                                     ("13201", "13001", "13201"), ("", "75000", ""),
                                                     ("", "75021", ""), ("", "7501", "")])
def test_paris_libraries_get_their_arrondissement(insee, postcode, expected):
    assert insee_for(insee, postcode) == expected
    if postcode in ("75000", "75021", "7501"):
        assert paris_arrondissement(postcode) == ""


def test_branch_frames_round_trip_and_fill_defaults():
    frame = branch_frame([{"id": "1", "name": "A", "lat": 43.3, "lon": 5.4},
                          {"id": "2", "name": "B", "lat": 43.4, "lon": 5.5, "open_to_public": False,
                           "surface_m2": 12.0}])
    first, second = branches_of(frame)
    assert (first.address, first.open_to_public, first.surface_m2) == ("", True, None)
    assert (second.open_to_public, second.surface_m2) == (False, 12.0)
    assert branches_of(branch_frame([first, second])) == [first, second]


def test_the_ministry_reader_reads_an_extract_given_as_bytes():
    from outreach.sources.branches import read_ministry_csv

    text = MINISTRY + "17615.0;Canopée;;;75001;Paris;75056;75;;;;;48.8618;2.3476\n"
    read = read_ministry_csv("", data=text.encode(), name="export.csv")
    assert (read.path, [b.id for b in read.branches], read.branches[0].insee) == ("export.csv", ["17615"], "75101")


@pytest.mark.parametrize("row,insee,postcode,expected", [
    ({"code_departement": "13", "departement": "Bouches-du-Rhône"}, "13201", "13001", "13"),
    ({"code_departement": "", "departement": "Haute-Corse"}, "", "20200", "2B"),
    ({"code_departement": "", "departement": "Corse-du-Sud"}, "", "20000", "2A"),
    ({}, "97411", "97400", "974"),
    ({}, "", "13400", "13"),
])
def test_the_data_build_gives_each_ministry_row_its_departement(row, insee, postcode, expected):
    from outreach.sources.branches import ministry_departement

    assert ministry_departement(row, insee, postcode) == expected


def test_ministry_codes_not_written_as_floats_and_paris_rows_without_an_insee_code():
    text = MINISTRY + ("17615;Canopée;;;75001;Paris;;75;;;;;48.8618;2.3476\n"
                       "1234;Relais;;;13001;Marseille;13201;13;;;;;43.30;5.38\n"
                       "5;Sans cp;;;;Paris;75056;75;;;;;48.85;2.35\n")
    canopee, relais, no_postcode = read_branches("", data=text.encode(), name="biblio.csv").branches
    assert (canopee.id, canopee.insee) == ("17615", "75101")
    assert (relais.id, relais.insee) == ("1234", "13201")
    assert no_postcode.insee == "75056"  # no postcode to tell the arrondissement: Paris as a whole


def test_a_file_that_is_not_the_ministry_list_is_told_where_to_find_it():
    from outreach.sources.branches import read_ministry_csv

    with pytest.raises(InputError) as err:
        read_ministry_csv("", data=b"code_bib;latitude\n1;43.3\n", name="export.csv")
    assert str(err.value) == (
        "export.csv — ligne 1 (en-tête) : colonne(s) manquante(s) : nom_de_l_etablissement, longitude (colonnes "
        "trouvées : code_bib, latitude). Utilisez l'export « Adresses des bibliothèques publiques » de "
        "data.gouv.fr.")


@pytest.mark.parametrize("row,insee,postcode,expected", [
    ({"code_departement": "13", "departement": "Bouches-du-Rhône"}, "", "", "13"),
    ({"code_departement": "", "departement": "Haute-Corse"}, "", "", "2B"),
    ({"departement": "Corse-du-Sud"}, "", "", "2A"),
    ({"code_departement": "", "departement": "Bouches-du-Rhône"}, "", "", ""),
])
def test_a_ministry_row_without_insee_code_or_postcode_keeps_the_departement_it_names(row, insee, postcode,
                                                                                       expected):
    from outreach.sources.branches import ministry_departement

    assert ministry_departement(row, insee, postcode) == expected


def test_the_ministry_list_is_read_from_its_file(tmp_path):
    from outreach.sources.branches import read_ministry_csv

    path = tmp_path / "adresses-des-bibliotheques-publiques.csv"
    path.write_bytes((MINISTRY + "17615.0;Canopée;;;75001;Paris;75056;75;;;;;48.8618;2.3476\n").encode("utf-8-sig"))
    read = read_ministry_csv(path)
    assert (read.path, [b.id for b in read.branches]) == (str(path), ["17615"])


def test_a_row_with_bad_coordinates_is_told_for_them_even_when_its_code_is_also_elsewhere():
    text = MINISTRY + ("1;A;;;13001;Marseille;13201;13;;;;;43.30;5.38\n"
                       "1;A bis;;;13001;Marseille;13201;13;;;;;95;5.38\n")
    with pytest.raises(InputError) as err:
        read_branches("", data=text.encode(), name="biblio.csv")
    assert str(err.value) == (
        "biblio.csv : 1 problème(s) à corriger :\n"
        "  - ligne 3 (code_bib 1) : coordonnées impossibles : latitude 95, longitude 5.38. La latitude doit être "
        "entre -90 et 90, la longitude entre -180 et 180.")


def test_a_ministry_extract_of_several_rows_with_only_the_required_columns():
    text = ("code_bib;nom_de_l_etablissement;latitude;longitude\n"
            "7;Relais;43.3;5.4\n8;Annexe;43.31;5.41\n9;Bibliobus;43.32;5.42\n")
    read = read_branches("", data=text.encode(), name="biblio.csv")
    assert [(b.id, b.name, b.address, b.postcode, b.insee, b.departement, b.open_to_public)
            for b in read.branches] == [("7", "Relais", "", "", "", "", True), ("8", "Annexe", "", "", "", "", True),
                                        ("9", "Bibliobus", "", "", "", "", True)]


def test_ministry_rows_get_their_departement_from_its_code_else_its_corsican_name_else_the_postcode():
    text = MINISTRY + ("1;Code seul;;;;;;13;Bouches-du-Rhône;;;;43.30;5.38\n"
                       "2;Corse par son nom;;;;;;;Haute-Corse;;;;42.70;9.45\n"
                       "3;Code postal seul;;;13400;Aubagne;;;;;;;43.29;5.57\n")
    read = read_branches("", data=text.encode(), name="biblio.csv")
    assert [(b.id, b.departement, b.insee) for b in read.branches] == [("1", "13", ""), ("2", "2B", ""),
                                                                       ("3", "13", "")]


def test_a_ministry_row_becomes_a_branch_with_every_field_it_gives():
    text = MINISTRY + ("1.0;Alcazar;58 cours Belsunce;BP 1;13001;Marseille;13201;13;Bouches-du-Rhône;Municipal;"
                       "Bibliothèque principale;18000;43.2996;5.3795\n")
    alcazar, = read_branches("", data=text.encode(), name="biblio.csv").branches
    assert alcazar.model_dump() == {
        "id": "1", "name": "Alcazar", "address": "58 cours Belsunce BP 1", "postcode": "13001", "city": "Marseille",
        "insee": "13201", "departement": "13", "status": "Municipal", "address_type": "Bibliothèque principale",
        "open_to_public": True, "surface_m2": 18000.0, "lat": 43.2996, "lon": 5.3795,
        "url": "", "opening_hours": "", "facebook_page_id": ""}  # the last three are not in the Ministry's list


def test_a_broken_geojson_upload_is_named_by_its_upload_name():
    with pytest.raises(InputError) as err:
        read_branches("/tmp/streamlit-upload-1234", data=b'{"type": "FeatureCollection", "features": [',
                      name="bibs.geojson")
    assert str(err.value).startswith("bibs.geojson")
    assert err.value.file == "bibs.geojson"


def test_a_geojson_point_with_an_id_only_gets_empty_fields_not_made_up_ones():
    bare, named_departement, by_postcode = read_geojson(
        point({"id": "seul"}), point({"id": "dep", "departement": "13"}), point({"id": "cp", "cp": "13400"})).branches
    assert bare.model_dump() == {
        "id": "seul", "name": "Bibliothèque seul", "address": "", "postcode": "", "city": "", "insee": "",
        "departement": "", "status": "", "address_type": "", "open_to_public": True, "surface_m2": None,
        "lat": 43.2965, "lon": 5.3698, "url": "", "opening_hours": "", "facebook_page_id": ""}
    assert (named_departement.departement, named_departement.postcode) == ("13", "")
    assert (by_postcode.departement, by_postcode.postcode, by_postcode.insee) == ("13", "13400", "")


def test_an_insee_code_given_is_kept_even_beside_a_paris_postcode():
    # Boulogne-Billancourt's code with a postcode of the 16th arrondissement: the code given is trusted
    assert insee_for("92012", "75016") == "92012"


def test_a_row_without_address_names_the_one_coordinate_it_has_when_the_other_column_is_absent():
    with pytest.raises(InputError) as err:
        read_csv("id,name,lon,adresse\n1,A,5.4,\n")
    assert str(err.value).endswith("ligne 2 : coordonnées illisibles (lat «  », lon « 5.4 »). Écrivez lat et lon en "
                                   "degrés décimaux, par exemple 43,2965 et 5,3698.")
    with pytest.raises(InputError) as err:
        read_csv("id,name,lat,adresse\n1,A,43.3,\n")
    assert "ligne 2 : coordonnées illisibles (lat « 43.3 », lon «  »)." in str(err.value)


@pytest.mark.parametrize("geocoder", [None, "ban"])
def test_addresses_go_to_the_service_named_or_the_ban_by_default(monkeypatch, ban_server, geocoder):
    ban_server.add("58 cours Belsunce 13001 Marseille", 43.299648, 5.379507)
    monkeypatch.setenv("OUTREACH_GEOCODER_URL", ban_server.url)  # the BAN's stand-in on the loopback
    text = "id,name,adresse,cp,ville\nalc,Alcazar,58 cours Belsunce,13001,Marseille\n"
    [alcazar] = read_csv(text, geocoder=geocoder).branches
    assert (alcazar.lat, alcazar.lon, alcazar.postcode, alcazar.departement) == (43.299648, 5.379507, "13001", "13")


def test_rows_after_one_with_impossible_coordinates_are_still_checked():
    with pytest.raises(InputError) as err:
        read_csv("id,name,lat,lon\n1,Inversée,5.38,43.30\n,Sans id,43.3,5.4\n2,Hors champ,95,5.4\n")
    assert str(err.value) == (
        "reseau.csv : 3 problème(s) à corriger :\n"
        "  - ligne 2 : latitude et longitude inversées (latitude 5.38, longitude 43.3). Inversez les deux valeurs : "
        "en GeoJSON l'ordre est [longitude, latitude] ; dans un CSV, vérifiez les colonnes lat et lon.\n"
        "  - ligne 3 : identifiant vide. Renseignez la colonne id.\n"
        "  - ligne 4 : coordonnées impossibles : latitude 95, longitude 5.4. La latitude doit être entre -90 et 90, "
        "la longitude entre -180 et 180.")


def test_a_csv_departement_column_is_kept_when_nothing_else_tells_it():
    [branch] = read_csv("id,name,lat,lon,departement\n1,A,43.3,5.4,13\n").branches
    assert (branch.departement, branch.postcode, branch.insee) == ("13", "", "")


def test_a_minimal_csv_row_gets_empty_fields_not_made_up_ones():
    read = read_csv("id,name,lat,lon\n1,A,43.3,5.4\n")
    assert read.path == "reseau.csv"
    assert read.branches[0].model_dump() == {
        "id": "1", "name": "A", "address": "", "postcode": "", "city": "", "insee": "", "departement": "",
        "status": "", "address_type": "", "open_to_public": True, "surface_m2": None, "lat": 43.3, "lon": 5.4,
        "url": "", "opening_hours": "", "facebook_page_id": ""}


def test_branch_files_named_json_or_csv_gz_are_read(tmp_path):
    import gzip

    assert read_branches("", data=json.dumps(point({"id": "1"})).encode(), name="Bibs.JSON").branches[0].id == "1"
    path = tmp_path / "bibliotheques.csv.gz"
    path.write_bytes(gzip.compress(b"id,name,lat,lon\n7,Relais,43.3,5.4\n"))
    assert [b.id for b in read_branches(path).branches] == ["7"]
