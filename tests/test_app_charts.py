"""Charts speak French: numbers as « 4 000 » and « 12,50 », themes by their label, never their id."""

import json

import pandas as pd

from app import dashboard_charts as charts


def test_spend_against_reach_shows_theme_labels_and_french_figures():
    ads = pd.DataFrame({"theme_id": ["science-fiction", "manga"], "spend": [4000.5, 12.0], "reach": [12000, 800],
                        "adset_name": ["a", "b"], "branch_name": ["Alcazar (Marseille)", "Méjanes (Aix-en-Provence)"],
                        "cost_per_1000_reached": [333.375, 15.0]})
    spec = json.dumps(charts.spend_vs_reach(ads, {"science-fiction": "Science-fiction", "manga": "Manga"}).to_dict(),
                      ensure_ascii=False)
    assert '"theme": "Science-fiction"' in spec and '"theme": "science-fiction"' not in spec
    assert "4\u202f000,50" in spec and "12\u202f000" in spec
    assert charts.FRENCH_LABELS in spec  # both axes
