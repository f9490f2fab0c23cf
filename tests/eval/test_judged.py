"""The judged-set scorer: name matching against judged aliases, and unjudged people counting as wrong."""


import pytest

from kmsearch.eval.judged import JudgedSet, score
from kmsearch.people.names import parse_name
from tests.helpers import DATA

REAL = DATA / "judged" / "real"


def _judged() -> JudgedSet:
    names = {"thandiwe-mokoena": [parse_name("Thandiwe Mokoena"), parse_name("Dr T. Mokoena")],
             "pieter-van-der-merwe": [parse_name("Pieter van der Merwe")]}
    qrels = {"t1": {"thandiwe-mokoena": 2}, "t2": {"pieter-van-der-merwe": 1}}
    return JudgedSet({"t1": "records", "t2": "archives"}, {"t1": "tune", "t2": "heldout"}, qrels, names)


def test_a_returned_name_matches_a_judged_person_by_compatible_forms():
    judged = _judged()
    assert judged.match(["T. Mokoena"]) == "thandiwe-mokoena"
    assert judged.match(["Mr P. vd Merwe"]) == "pieter-van-der-merwe"
    assert judged.match(["Des Moines"]) is None
    assert judged.match(["Sipho Mokoena"]) is None  # another given name: another person


def test_unjudged_people_ahead_of_the_right_one_cost_precision_and_the_top3_hit():
    judged = _judged()
    run = {"t1": ["unjudged:des-moines", "unjudged:x", "unjudged:y", "thandiwe-mokoena"], "t2": ["pieter-van-der-merwe"]}
    result = score(run, judged)
    assert result["top3_topics"] == "1/2"
    assert result["mrr"] == pytest.approx((0.25 + 1.0) / 2)
    assert score(run, judged, "heldout")["top3"] == 1.0


def test_the_real_judged_set_loads_and_every_judged_person_is_described():
    if not REAL.is_dir():
        pytest.skip("no real judged set")
    judged = JudgedSet.load(REAL)
    assert len(judged.topics) >= 30 and set(judged.splits.values()) == {"tune", "heldout"}
    missing = {p for people in judged.qrels.values() for p in people} - judged.names.keys()
    assert not missing, f"judged in qrels but not in people.tsv: {sorted(missing)}"
