from assessments.plan.document import new_plan
from assessments.programme.progress import plan_progress


def test_empty_plan_has_nothing_done():
    out = plan_progress(new_plan("空"), readiness_total=41, privacy_item_ids=["P01", "P02"])
    assert out["cameras"] == 0 and out["readiness_answered"] == 0
    assert out["privacy_total"] == 2 and out["privacy_answered"] == 0
    assert not any(out["export_checklist"].values())


def test_counts_only_triggered_privacy_items_and_answered_levels():
    plan = new_plan("途中", municipality={"code": "122173", "name": "柏市"})
    plan["use_cases"] = ["people_count"]
    plan["cameras"] = [{"id": "C1"}, {"id": "C2"}]
    plan["readiness"]["answers"] = {"q1": {"level": 2}, "q2": {"level": None},
                                    "q3": {"level": 0}}
    plan["privacy"]["answers"] = {"P01": {"status": "done"}, "P14": {"status": "todo"},
                                  "P02": {"status": ""}}
    out = plan_progress(plan, readiness_total=3, privacy_item_ids=["P01", "P02", "P03"])
    assert out["readiness_answered"] == 2  # level 0 is an answer; None is not
    assert out["privacy_answered"] == 1  # P14 is not triggered, P02 has no status
    assert out["export_checklist"] == {"municipality": True, "use_cases": True,
                                       "readiness": False, "privacy": False,
                                       "cameras": True, "costs": False}
