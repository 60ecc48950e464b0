"""meta-api.json writes each group's circles once (outreach.meta.files._ad_set_json): the ad sets of every theme
share the list, and each line still holds exactly the JSON of its ad set."""

import json

from outreach.meta.files import payloads_json
from outreach.meta.payloads import build_payloads
from tests.test_meta_payloads import plan_of


def test_the_themes_of_a_group_share_their_circles_and_each_line_is_its_ad_set():
    plan = plan_of(themes=["science-fiction", "polar"])
    # a name holding the placeholder's text, plain and escaped: only the key itself is replaced
    plan.ad_sets[0].name = 'Médiathèque "custom_locations": [] et \\"custom_locations\\": []'
    payloads = build_payloads(plan)
    ad_sets = payloads["ad_sets"]
    by_circles: dict[int, list[str]] = {}
    for a in ad_sets:
        by_circles.setdefault(id(a["targeting"]["geo_locations"]["custom_locations"]), []).append(a["ref"])
    assert len(by_circles) == len(ad_sets) // 2 and all(len(refs) == 2 for refs in by_circles.values())

    text = payloads_json(payloads)
    dump = json.JSONEncoder(ensure_ascii=False).encode
    lines = text.splitlines()
    start = lines.index(' "ad_sets": [') + 1
    for n, a in enumerate(ad_sets):
        assert lines[start + n] == f"  {dump(a)}" + ("," if n < len(ad_sets) - 1 else "],")
    assert json.loads(text)["ad_sets"] == json.loads(json.dumps(ad_sets))
