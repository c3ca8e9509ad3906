"""The three-way merge of plan documents (assessments.plan.merge), on hand-made cases: what
each side changed is kept, a value both changed differently is a conflict."""
from assessments.plan.merge import MISSING, three_way


def _light(lid, **kw):
    return {"id": lid, "lat": 35.0, "lon": 139.0, "mount_height_m": 5.0, **kw}


def test_each_side_keeps_its_own_field():
    # tab A changed the title, tab B (already saved) the KPIs: both survive
    base = {"project": {"title": "", "purpose": "p"}, "kpis": [{"name": "k", "baseline": 1}]}
    ours = {"project": {"title": "見守り事業", "purpose": "p"},
            "kpis": [{"name": "k", "baseline": 1}]}
    theirs = {"project": {"title": "", "purpose": "p"},
              "kpis": [{"name": "k", "baseline": 1}, {"name": "新KPI", "baseline": 5}]}
    merged, conflicts = three_way(base, ours, theirs)
    assert conflicts == []
    assert merged == {"project": {"title": "見守り事業", "purpose": "p"},
                      "kpis": [{"name": "k", "baseline": 1}, {"name": "新KPI", "baseline": 5}]}


def test_list_without_ids_changed_on_both_sides_is_a_conflict():
    # the schedule has no ids: a row edited in A and another row added in B cannot be told
    # apart from a reordering, so the whole list is a conflict and the latest (B) is kept
    base = {"schedule": [{"task": "設計"}]}
    ours = {"schedule": [{"task": "詳細設計"}]}
    theirs = {"schedule": [{"task": "設計"}, {"task": "工事"}]}
    merged, conflicts = three_way(base, ours, theirs)
    assert conflicts == [("schedule",)]
    assert merged == theirs


def test_devices_merge_per_id():
    # A moves L1 and deletes L2; B changed L1's height and added L3 since:
    # L1 gets both changes, L2 goes, L3 stays, B's order first, then A's new L4
    base = {"lights": [_light("L1"), _light("L2")]}
    ours = {"lights": [_light("L1", lat=35.1), _light("L4")]}
    theirs = {"lights": [_light("L1", mount_height_m=8.0), _light("L2"), _light("L3")]}
    merged, conflicts = three_way(base, ours, theirs)
    assert conflicts == []
    assert merged["lights"] == [_light("L1", lat=35.1, mount_height_m=8.0), _light("L3"),
                                _light("L4")]


def test_same_device_field_changed_differently_is_a_conflict():
    base = {"lights": [_light("L1")]}
    ours = {"lights": [_light("L1", lat=35.1)]}
    theirs = {"lights": [_light("L1", lat=35.2)]}
    merged, conflicts = three_way(base, ours, theirs)
    assert conflicts == [("lights", "L1", "lat")]
    assert merged["lights"][0]["lat"] == 35.2  # the stored value stays


def test_deleted_here_changed_there_is_a_conflict():
    base = {"lights": [_light("L1"), _light("L2")]}
    ours = {"lights": [_light("L1")]}
    theirs = {"lights": [_light("L1"), _light("L2", lat=35.3)]}
    merged, conflicts = three_way(base, ours, theirs)
    assert conflicts == [("lights", "L2")]
    assert merged == theirs


def test_same_id_added_on_both_sides_differently_is_a_conflict():
    base = {"lights": []}
    ours = {"lights": [_light("L1", lat=35.1)]}
    theirs = {"lights": [_light("L1", lat=35.2)]}
    # an empty base list has ids (none): the lists merge per id and L1 conflicts there
    assert three_way(base, ours, theirs) == (theirs, [("lights", "L1")])


def test_equal_changes_and_deletions():
    # both set the same value: no conflict; a key deleted here and untouched there goes
    base = {"a": 1, "b": 2, "c": 3}
    ours = {"a": 5, "b": 2}
    theirs = {"a": 5, "b": 7, "c": 3}
    assert three_way(base, ours, theirs) == ({"a": 5, "b": 7}, [])


def test_key_added_here_and_there():
    base = {}
    assert three_way(base, {"x": 1}, {"y": 2}) == ({"y": 2, "x": 1}, [])
    assert three_way(base, {"x": 1}, {"x": 2}) == ({"x": 2}, [("x",)])


def test_whole_values_and_missing():
    assert three_way(1, 1, 2) == (2, [])
    assert three_way(1, 3, 1) == (3, [])
    assert three_way(1, 3, 2) == (2, [()])
    assert three_way(MISSING, 4, MISSING) == (4, [])


def test_inputs_untouched():
    base = {"lights": [_light("L1")]}
    ours = {"lights": [_light("L1", lat=35.1)]}
    theirs = {"lights": [_light("L1"), _light("L2")]}
    copies = [repr(v) for v in (base, ours, theirs)]
    three_way(base, ours, theirs)
    assert [repr(v) for v in (base, ours, theirs)] == copies
