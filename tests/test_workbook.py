"""The XLSX written straight as XML reads back, through openpyxl, as the cells it was given."""

import io
from datetime import datetime

from openpyxl import load_workbook

from outreach.meta.workbook import column_letter, write_xlsx


def test_cells_read_back_with_their_types():
    moment = datetime(2027, 3, 1, 13, 30, 15)
    data = write_xlsx([["Nom", "Budget", "Début", "Vide", "Actif"],
                       ["=HYPERLINK(\"https://x\",\"Ouvrir\")", 12.5, moment, None, True],
                       ["<b>&amp; « é » _x0041_ \x01", 7, "", "fin", False]], "Ads")
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet.title == "Ads"
    rows = [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]
    assert rows[1][0] == ("=HYPERLINK(\"https://x\",\"Ouvrir\")", "s")  # text, never a live formula
    assert rows[1][1] == (12.5, "n") and rows[2][1] == (7, "n")
    assert sheet["C2"].is_date and sheet["C2"].value == moment
    assert sheet["D2"].value is None and sheet["C3"].value is None  # no cell for an empty value
    # XML's forbidden characters and a literal "_x" in OOXML's escapes (Excel decodes them; openpyxl, like its
    # own writer, leaves them as stored): nothing is lost
    assert rows[2][0] == ("<b>&amp; « é » _x005F_x0041_ _x0001_", "s")
    assert (sheet["E2"].value, sheet["E3"].value) == (True, False)


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]
