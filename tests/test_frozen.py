"""Read-only shared JSON values (assessments.plan.frozen)."""
import copy
import json
import pickle

import numpy as np
import pytest

from assessments.plan.frozen import FrozenDict, FrozenList, content_hash, freeze, thaw

VALUE = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"id": "B1", "height_m": 9.5},
     "geometry": {"type": "Polygon", "coordinates": [[[139.1, 35.1], [139.2, 35.1],
                                                      [139.2, 35.2], [139.1, 35.1]]]}}]}


def test_frozen_value_reads_like_json_and_refuses_changes():
    f = freeze(VALUE, content_hash="abc")
    assert isinstance(f, dict) and isinstance(f["features"], list)
    assert json.dumps(f, sort_keys=True) == json.dumps(VALUE, sort_keys=True)
    assert content_hash(f) == "abc" and content_hash(f["features"][0]) is None
    ring = np.asarray(f["features"][0]["geometry"]["coordinates"][0])
    assert ring.shape == (4, 2) and ring[1, 0] == 139.2
    props = f["features"][0]["properties"]
    for change in (lambda: props.__setitem__("is_home", True), lambda: props.pop("id"),
                   lambda: props.update(a=1), lambda: props.setdefault("new", 1),
                   lambda: f["features"].append({}), lambda: f["features"].sort(),
                   lambda: f["features"].__setitem__(0, {}), lambda: props.clear()):
        with pytest.raises(TypeError, match="read-only"):
            change()
    assert props.setdefault("id") == "B1"          # an existing key is only read
    assert VALUE["features"][0]["properties"] == {"id": "B1", "height_m": 9.5}


def test_copies_share_and_thaw_gives_a_plain_mutable_copy():
    f = freeze(VALUE)
    assert copy.deepcopy(f) is f and copy.copy(f["features"]) is f["features"]
    t = thaw(f)
    assert type(t) is dict and type(t["features"]) is list
    t["features"][0]["properties"]["is_home"] = True
    assert "is_home" not in f["features"][0]["properties"]
    # pickles (e.g. session state) as plain values
    back = pickle.loads(pickle.dumps(f))
    assert type(back) is dict and back == VALUE
    # a new value is built from a frozen one without copying its parts
    new = dict(f, features=[dict(f["features"][0], properties={"id": "B1"})])
    assert new["features"][0]["geometry"] is f["features"][0]["geometry"]


def test_freezing_a_frozen_value_with_another_hash_does_not_relabel_it():
    a = freeze(VALUE, content_hash="a")
    b = freeze(a, content_hash="b")
    assert content_hash(a) == "a" and content_hash(b) == "b" and b == a
    assert isinstance(b, FrozenDict) and isinstance(b["features"], FrozenList)
