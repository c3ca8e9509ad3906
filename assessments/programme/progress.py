"""How far a plan has got: what the home page shows and what the export needs."""
from __future__ import annotations

from assessments.programme.costs import plan_costs


def plan_progress(plan: dict, *, readiness_total: int | None = None,
                  privacy_item_ids: list[str] | None = None) -> dict:
    """Progress figures of a plan.

    Parameters
    ----------
    plan : dict
        The plan (``docs/architecture.md``).
    readiness_total : int, optional
        Number of readiness questions in the question bank.
    privacy_item_ids : list of str, optional
        Ids of the privacy items the plan's use cases trigger; only answers to these count
        (an answer kept from a use case since removed does not).

    Returns
    -------
    dict
        ``municipality`` (name or None), ``use_cases`` (count), ``readiness_answered``,
        ``readiness_total``, ``privacy_answered``, ``privacy_total``, ``cameras``,
        ``lights``, ``cost_items`` and ``export_checklist``: ``{item: bool}`` in the order
        an official works through them.
    """
    municipality = (plan.get("municipality") or {}).get("name")
    readiness = (plan.get("readiness") or {}).get("answers") or {}
    privacy = (plan.get("privacy") or {}).get("answers") or {}
    readiness_answered = sum(1 for a in readiness.values()
                             if isinstance(a, dict) and a.get("level") is not None)
    wanted = None if privacy_item_ids is None else set(privacy_item_ids)
    privacy_total = None if wanted is None else len(wanted)
    privacy_answered = sum(1 for key, a in privacy.items()
                           if isinstance(a, dict) and a.get("status")
                           and (wanted is None or key in wanted))
    costs = plan.get("costs") or {}
    cost_items = len(costs.get("items") or []) + len(costs.get("running") or [])
    checklist = {
        "municipality": bool(municipality),
        "use_cases": bool(plan.get("use_cases")),
        "readiness": readiness_answered > 0 and (readiness_total is None
                                                  or readiness_answered >= readiness_total),
        "privacy": privacy_answered > 0 and (privacy_total is None
                                              or privacy_answered >= privacy_total),
        "cameras": bool(plan.get("cameras")),
        # priced devices and estimate rates are costs too (the derived lines)
        "costs": cost_items > 0 or plan_costs(plan).total_jpy > 0,
    }
    return {
        "municipality": municipality,
        "use_cases": len(plan.get("use_cases") or []),
        "readiness_answered": readiness_answered,
        "readiness_total": readiness_total,
        "privacy_answered": privacy_answered,
        "privacy_total": privacy_total,
        "cameras": len(plan.get("cameras") or []),
        "lights": len(plan.get("lights") or []),
        "cost_items": cost_items,
        "export_checklist": checklist,
    }
