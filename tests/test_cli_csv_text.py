"""`csv_text` writes what pandas' own `to_csv` writes (through `cells.safe_frame`), only faster."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach import cells
from outreach.cli.common import csv_text

# what makes a CSV field special: the delimiter, quotes, line breaks, a formula's first character
TEXT = st.one_of(st.none(), st.text(alphabet='ab ,;"\r\n=+-@\téÉ0', max_size=8))


@st.composite
def frames(draw):
    rows = draw(st.integers(min_value=1, max_value=12))
    texts = draw(st.lists(st.lists(TEXT, min_size=rows, max_size=rows), min_size=1, max_size=3))
    floats = draw(st.lists(st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6)), min_size=rows,
                           max_size=rows))
    counts = draw(st.lists(st.one_of(st.none(), st.integers(min_value=-5, max_value=10**6)), min_size=rows,
                           max_size=rows))
    arrow = draw(st.booleans())  # pandas' own text type, or Python objects (a column built from a list)
    columns = {f"texte {i}": pd.Series(values, dtype="str" if arrow else object) for i, values in enumerate(texts)}
    return pd.DataFrame({**columns, "km": pd.Series(floats, dtype=float),
                         "population": pd.array(counts, dtype="Int64")})


@settings(max_examples=300, deadline=None)
@given(frames())
def test_csv_text_is_what_pandas_writes(frame):
    expected = cells.safe_frame(frame).to_csv(index=False, float_format="%.3f", lineterminator="\n")
    assert csv_text(frame) == expected


def test_commas_and_quotes_quoted_without_the_csv_module_line_breaks_through_it():
    plain = pd.DataFrame({"nom": ["Médiathèque, annexe", "Bibliothèque"], "km": [1.0, 2.5]})
    assert csv_text(plain) == 'nom,km\n"Médiathèque, annexe",1.000\nBibliothèque,2.500\n'
    quoted = pd.DataFrame({"nom": ['La « Fabrique », dite "F"', "=1+1"], "km": [1.0, None]})
    assert csv_text(quoted) == 'nom,km\n"La « Fabrique », dite ""F""",1.000\n\'=1+1,\n'
    mixed = pd.DataFrame({"valeur": pd.Series([12, "=SOMME(A1)", None, "a,b"], dtype=object), "km": [1.0] * 4})
    assert csv_text(mixed) == cells.safe_frame(mixed).to_csv(index=False, float_format="%.3f", lineterminator="\n")
    broken = pd.DataFrame({"nom": ["Médiathèque\nannexe", "a\rb"], "km": [1.0, 2.0]})
    assert csv_text(broken) == cells.safe_frame(broken).to_csv(index=False, float_format="%.3f", lineterminator="\n")
