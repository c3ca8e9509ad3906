"""The plan's cost lines and totals: the one cost arithmetic of the app.

Every page (事業計画・事業費, シミュレーション 費用, 補助金, ホーム), the Excel 事業費 sheet's
expected values and the tests read the plan's costs through :func:`plan_costs`. Nothing
here is stored: the lines are derived from the plan each time, so no page can keep a copy
that disagrees with another.

Where a line comes from (``CostLine.source``)
---------------------------------------------
``cameras`` / ``lights``
    The placed devices grouped by model: quantity = devices of the model, amount = the sum
    of their own ``unit_price_jpy`` [円] (a device without a price counts 0).
``estimate``
    The simulation's estimate rates that are not device prices
    (``plan["simulation"]["unit_prices_jpy"]``): ``pole`` [円/か所] × installation sites,
    ``recorder_per_tb`` [円/TB] × recording storage [TB] for the retention period, and
    ``installation`` [円/台] × (cameras + lights). A rate of 0 gives no line. When
    ``costs.items`` already has a line of the same category (the user typed the poles,
    recorder or installation as an item), the estimate line is left out of the totals and
    reported in :attr:`PlanCosts.superseded`, so the same cost is never counted twice.
``items``
    ``costs.items``: unit price [円] × quantity typed on the 事業計画 page.
``running``
    ``costs.running``: annual amount [円/年] × ``costs.years``.

Amounts are as entered, 税込 (consumption tax included, :data:`TAX_BASIS`); no scheme
rule in ``grant_schemes`` distinguishes 税抜 amounts, so none is derived here.

Sites
-----
A site (設置場所) is one place where cameras are mounted; a pole may hold several cameras.
A camera's optional ``site`` names its site; cameras without one are each their own site.
Camera lines typed in ``costs.items`` (cameras not yet placed) count one site per camera.
Per-site grant rules (定額 per か所) count sites, per-camera caps count cameras.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from assessments.engine import storage as _storage

__all__ = ["drop_stored_total", "TAX_BASIS", "ITEM_CATEGORIES", "RUNNING_CATEGORIES", "ESTIMATE_RATES",
           "DEVICE_PRICE_KEYS", "DEFAULT_YEARS", "DEFAULT_RETENTION_DAYS", "CostLine",
           "RunningLine", "PlanCosts", "number", "device_groups", "site_count", "retention_days",
           "estimate_rates", "plan_costs", "set_model_prices", "migrate_unit_prices"]

#: Amounts are entered and shown including consumption tax (税込).
TAX_BASIS = "tax_included"

#: ``costs.items[].category`` keys (labels in ``ui/strings`` and ``reports.excel``).
ITEM_CATEGORIES = ("camera", "pole", "light", "recorder", "network", "installation", "other")
#: ``costs.running[].category`` keys.
RUNNING_CATEGORIES = ("electricity", "communication", "maintenance", "replacement", "other")

#: Estimate rate key → (item category it fills, what the quantity counts).
ESTIMATE_RATES = {"pole": ("pole", "sites"),
                  "recorder_per_tb": ("recorder", "storage_tb"),
                  "installation": ("installation", "devices")}

#: Keys of the simulation page's old ``plan["simulation"]["unit_prices_jpy"]`` that are
#: device prices: they live on the devices (``cameras[]`` / ``lights[]``
#: ``unit_price_jpy``), see :func:`migrate_unit_prices`.
DEVICE_PRICE_KEYS = {"camera": "cameras", "light": "lights"}

#: Years of running cost when the plan does not say (``costs.years``) [year].
DEFAULT_YEARS = 5
#: Retention when the privacy settings do not say [day] (the simulation's default too).
DEFAULT_RETENTION_DAYS = 14


def number(value) -> float | None:
    """A finite number, or None for empty / NaN / text that is not a number / bool.

    ``"1,200"`` reads as 1200 (a thousands separator typed in a cell).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        out = float(value)
    else:
        text = str(value).strip().replace(",", "")
        if not text:
            return None
        try:
            out = float(text)
        except ValueError:
            return None
    return out if math.isfinite(out) else None


def _amount(value) -> float:
    """A money or quantity value ≥ 0 (missing, negative or not a number → 0)."""
    out = number(value)
    return out if out is not None and out > 0 else 0.0


def _text(value) -> str:
    return "" if value is None else str(value).strip()


@dataclass(frozen=True)
class CostLine:
    """One line of the initial cost (設備・設置工事) [円].

    ``source`` is ``cameras`` | ``lights`` | ``estimate`` | ``items`` (module docstring);
    ``key`` is the model (device lines), the estimate rate key, or the item's index in
    ``costs.items`` as text.
    """

    source: str
    category: str
    name: str
    unit_price_jpy: float
    quantity: float
    amount_jpy: float
    key: str = ""


@dataclass(frozen=True)
class RunningLine:
    """One running cost: ``annual_jpy`` [円/年] × ``years`` = ``amount_jpy`` [円]."""

    category: str
    name: str
    annual_jpy: float
    years: int
    amount_jpy: float
    key: str = ""
    source: str = "running"


@dataclass(frozen=True)
class PlanCosts:
    """The plan's costs, derived (never stored) [円 税込].

    Attributes
    ----------
    lines : tuple of CostLine
        Initial cost lines in order: cameras, lights, estimate, items.
    running : tuple of RunningLine
    years : int
        Years of running cost counted [year].
    initial_jpy : float
        初期費用 (総事業費 of an application for the equipment): Σ lines.
    running_annual_jpy, running_total_jpy : float
        Running cost per year and over ``years``.
    total_jpy : float
        事業費合計（運用費 ``years`` 年分を含む） = initial + running total.
    cameras : int
        Cameras for per-camera caps: placed cameras + camera items' quantity [台].
    sites : int
        Installation sites for per-site amounts [か所] (module docstring).
    storage_tb : float
        Recording storage of the placed cameras for the retention period [TB].
    superseded : tuple of str
        Estimate rate keys left out because ``costs.items`` has that category.
    """

    lines: tuple = ()
    running: tuple = ()
    years: int = DEFAULT_YEARS
    initial_jpy: float = 0.0
    running_annual_jpy: float = 0.0
    running_total_jpy: float = 0.0
    total_jpy: float = 0.0
    cameras: int = 0
    sites: int = 0
    storage_tb: float = 0.0
    superseded: tuple = field(default_factory=tuple)

    def by_source(self, source: str) -> list[CostLine]:
        """The initial lines of one source."""
        return [line for line in self.lines if line.source == source]


def device_groups(devices) -> list[dict]:
    """Devices grouped by model: ``[{"model", "quantity", "amount_jpy"}]``.

    The order is the order in which each model first appears; the amount is the sum of the
    devices' ``unit_price_jpy`` [円] (missing or invalid prices count as 0). A device
    without a model is in the group ``""``.
    """
    groups: dict[str, dict] = {}
    for dev in devices or ():
        model = _text(dev.get("model"))
        group = groups.setdefault(model, {"model": model, "quantity": 0, "amount_jpy": 0.0})
        group["quantity"] += 1
        group["amount_jpy"] += _amount(dev.get("unit_price_jpy"))
    return list(groups.values())


def site_count(cameras, *, extra_cameras: float = 0) -> int:
    """Installation sites [か所]: distinct ``site`` values + cameras without one
    (+ ``extra_cameras`` typed as items, one site each)."""
    named = {_text(c.get("site")) for c in cameras or () if _text(c.get("site"))}
    unnamed = sum(1 for c in cameras or () if not _text(c.get("site")))
    return len(named) + unnamed + int(extra_cameras)


def estimate_rates(plan: dict) -> dict:
    """The plan's estimate rates ``{key: 円}`` for the keys of :data:`ESTIMATE_RATES`
    (missing, invalid or negative → 0)."""
    rates = ((plan.get("simulation") or {}).get("unit_prices_jpy") or {})
    if not isinstance(rates, dict):
        rates = {}
    return {key: _amount(rates.get(key)) for key in ESTIMATE_RATES}


def retention_days(plan: dict) -> float:
    """Recording retention [day]: ``privacy.settings.retention_days``, else
    :data:`DEFAULT_RETENTION_DAYS` (the simulation summary's rule)."""
    settings = (plan.get("privacy") or {}).get("settings") or {}
    days = number(settings.get("retention_days"))
    return days if days is not None and days > 0 else float(DEFAULT_RETENTION_DAYS)


def _storage_tb(cameras, retention_days: float) -> float:
    """Recording storage [TB] (:func:`assessments.engine.storage.plan_storage`, the same
    model and retention the simulation summary uses)."""
    clean = []
    for cam in cameras or ():
        w, h = number(cam.get("width_px")), number(cam.get("height_px"))
        clean.append({"id": cam.get("id"),
                      "width_px": w if w is not None and w > 0 else 1920,
                      "height_px": h if h is not None and h > 0 else 1080})
    return float(_storage.plan_storage(clean, retention_days=retention_days)["total_tb"])


def is_existing(device: dict) -> bool:
    """Whether a camera or light is already installed (``existing`` true): it counts in
    the coverage and the night, not in the costs (nothing is bought or installed)."""
    return isinstance(device, dict) and device.get("existing") is True


def plan_costs(plan: dict) -> PlanCosts:
    """All cost lines and totals of a plan [円 税込] (module docstring). Cameras and
    lights already installed (:func:`is_existing`) have no cost line, site or storage.

    Examples
    --------
    Two cameras of model A at 300,000 円 on one pole (``site`` "P1"), pole rate
    150,000 円/か所, items: network 1 × 100,000 円, running 60,000 円/年 for 5 years:
    initial = 600,000 + 150,000 + 100,000 = 850,000; running 300,000; total 1,150,000.
    """
    costs = plan.get("costs") or {}
    cameras = [c for c in plan.get("cameras") or () if not is_existing(c)]
    lights = [c for c in plan.get("lights") or () if not is_existing(c)]
    items = list(costs.get("items") or ())
    years = number(costs.get("years"))
    years = int(years) if years is not None and years >= 1 else DEFAULT_YEARS

    lines: list[CostLine] = []
    for source, category, devices in (("cameras", "camera", cameras),
                                      ("lights", "light", lights)):
        for g in device_groups(devices):
            lines.append(CostLine(source, category, g["model"],
                                  g["amount_jpy"] / g["quantity"], g["quantity"],
                                  g["amount_jpy"], key=g["model"]))
    typed_cameras = sum(_amount(i.get("quantity")) for i in items
                        if i.get("category") == "camera")
    sites = site_count(cameras, extra_cameras=typed_cameras)
    rates = estimate_rates(plan)
    typed_categories = {i.get("category") for i in items}
    storage_tb = _storage_tb(cameras, retention_days(plan)) if cameras else 0.0
    quantities = {"sites": site_count(cameras), "storage_tb": storage_tb,
                  "devices": len(cameras) + len(lights)}
    superseded = []
    for key, (category, counts) in ESTIMATE_RATES.items():
        rate = rates[key]
        if rate <= 0:
            continue
        if category in typed_categories:
            superseded.append(key)
            continue
        qty = quantities[counts]
        lines.append(CostLine("estimate", category, key, rate, qty, rate * qty, key=key))
    for i, item in enumerate(items):
        price, qty = _amount(item.get("unit_price_jpy")), _amount(item.get("quantity"))
        category = item.get("category") if item.get("category") in ITEM_CATEGORIES \
            else "other"
        lines.append(CostLine("items", category, _text(item.get("name")), price, qty,
                              price * qty, key=str(i)))
    running = []
    for i, r in enumerate(costs.get("running") or ()):
        annual = _amount(r.get("annual_jpy"))
        category = r.get("category") if r.get("category") in RUNNING_CATEGORIES else "other"
        running.append(RunningLine(category, _text(r.get("name")), annual, years,
                                   annual * years, key=str(i)))
    initial = float(sum(line.amount_jpy for line in lines))
    annual = float(sum(r.annual_jpy for r in running))
    return PlanCosts(lines=tuple(lines), running=tuple(running), years=years,
                     initial_jpy=initial, running_annual_jpy=annual,
                     running_total_jpy=annual * years, total_jpy=initial + annual * years,
                     cameras=int(len(cameras) + typed_cameras), sites=sites,
                     storage_tb=storage_tb, superseded=tuple(superseded))


def set_model_prices(devices, prices: dict) -> list[dict]:
    """Copies of ``devices`` with ``unit_price_jpy`` set per model (``{model: price [円]}``).

    The model of a device without one is ``""``; an empty or non-numeric price changes
    nothing.
    """
    out = []
    for dev in devices or ():
        dev = dict(dev)
        model = _text(dev.get("model"))
        price = number(prices.get(model)) if model in prices else None
        if price is not None:
            dev["unit_price_jpy"] = int(price) if price.is_integer() else price
        out.append(dev)
    return out


def migrate_unit_prices(plan: dict) -> bool:
    """Move the simulation page's old device prices onto the devices (in place).

    ``plan["simulation"]["unit_prices_jpy"]["camera"]`` / ``["light"]`` become the
    ``unit_price_jpy`` of every camera / light that has no price (missing or 0): the value
    the old estimate used for them. The two keys are then removed; the other keys (pole,
    recorder, installation) and every other field are kept. (An old stored
    ``grant.total_cost_jpy`` is not read anywhere: the total is derived; pages drop it when
    they save the costs or the grant choice, opening a plan never saves.)

    Returns
    -------
    bool
        True when something was moved (the caller saves the plan).
    """
    prices = (plan.get("simulation") or {}).get("unit_prices_jpy")
    if not isinstance(prices, dict) or not set(prices) & set(DEVICE_PRICE_KEYS):
        return False
    for key, devices in DEVICE_PRICE_KEYS.items():
        if key not in prices:
            continue
        value = number(prices.pop(key))
        if value is None or value <= 0:
            continue
        for dev in plan.get(devices) or ():
            if not _amount(dev.get("unit_price_jpy")) > 0:
                dev["unit_price_jpy"] = int(value) if value.is_integer() else value
    return True


def drop_stored_total(plan: dict) -> None:
    """Remove an old stored ``grant.total_cost_jpy`` (in place): the total is derived."""
    grant = plan.get("grant")
    if isinstance(grant, dict):
        grant.pop("total_cost_jpy", None)
