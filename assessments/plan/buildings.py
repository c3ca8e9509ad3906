"""The plan's buildings: the one rule for a building's id and the one rule for a home.

A plan's ``buildings`` is a GeoJSON FeatureCollection (``docs/architecture.md``). Every part
of the app that names a building (the importers when they store ``properties.id``, the
validator's messages, the visibility model, the privacy check, the map and the home picker)
calls :func:`building_id`; every part that asks whether a building is somebody's home (the
importers when they store ``properties.is_home``, the privacy check and the map) calls
:func:`is_home`.

Rules
-----
Id
    The first present, non-empty one of ``properties.id``, ``properties.建物ID`` (PLATEAU's
    building id attribute), the feature's own ``id`` (RFC 7946 §3.2) and
    ``properties.gml_id`` (CityGML ``gml:id``); else ``B<n>``, ``n`` the 1-based position
    in the collection.
Home
    ``properties.is_home`` decides when it is a yes/no value (``True``, ``"true"``,
    ``"はい"``, ``1`` …; ``False``, ``"false"``, ``"いいえ"``, ``0``, ``""`` …): the user's
    choice on the シミュレーション page is stored there. Otherwise the first usage
    attribute (``usage``, ``bldg:usage``, ``用途``, ``建物用途``, ``Building_usage``)
    decides: a PLATEAU dwelling code 411–415 [1]_ or a dwelling word (住宅, residential,
    house, apartments, dwelling) is a home, any other usage is not. With neither the
    building is not known to be a home.

References
----------
.. [1] 国土交通省 Project PLATEAU, コードリスト Building_usage (i-UR 3.0),
   https://www.geospatial.jp/iur/codelists/3.0/Building_usage.xml — 411 住宅,
   412 共同住宅, 413 店舗等併用住宅, 414 店舗等併用共同住宅, 415 作業所併用住宅
   (401–404 業務・商業・宿泊, 421–461 官公庁 … 不明 are not dwellings).
"""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping

__all__ = ["ID_KEYS", "RESIDENTIAL_USAGE_CODES", "USAGE_KEYS", "building_id", "declared_id",
           "home_status", "is_home", "usage_of"]

#: Property keys that carry a building's id, in the order they are tried (the feature's own
#: ``id`` is tried after ``建物ID``).
ID_KEYS = ("id", "建物ID", "gml_id")
#: PLATEAU Building_usage codes of dwellings [1]_, with their names.
RESIDENTIAL_USAGE_CODES = {"411": "住宅", "412": "共同住宅", "413": "店舗等併用住宅",
                           "414": "店舗等併用共同住宅", "415": "作業所併用住宅"}
#: Property keys that carry a building's usage (PLATEAU CityGML / GeoJSON / 3D Tiles
#: exports and hand-made files), in the order they are tried.
USAGE_KEYS = ("usage", "bldg:usage", "用途", "建物用途", "Building_usage")
#: Words in a usage text that mean a dwelling (PLATEAU labels contain 住宅; OpenStreetMap
#: ``building=house`` / ``apartments`` / ``residential``).
_RESIDENTIAL_WORDS = ("住宅", "residential", "house", "apartments", "dwelling")
_YES = frozenset({"true", "1", "yes", "y", "t", "はい", "住宅"})
_NO = frozenset({"false", "0", "no", "n", "f", "いいえ", ""})


def _present(value) -> bool:
    return value is not None and value != ""


def _properties(feature) -> Mapping:
    props = feature.get("properties") if isinstance(feature, Mapping) else None
    return props if isinstance(props, Mapping) else {}


def declared_id(feature) -> str | None:
    """The id a building feature declares, or ``None`` when it has none.

    Parameters
    ----------
    feature : dict
        A GeoJSON Feature (anything else has no id).

    Returns
    -------
    str or None
        ``properties.id``, ``properties.建物ID``, the feature's ``id`` or
        ``properties.gml_id`` (the first present and non-empty one), as text.
    """
    props = _properties(feature)
    for key in ID_KEYS[:2]:
        if _present(props.get(key)):
            return str(props[key])
    if isinstance(feature, Mapping) and _present(feature.get("id")):
        return str(feature["id"])
    if _present(props.get("gml_id")):
        return str(props["gml_id"])
    return None


def building_id(feature, index: int) -> str:
    """The id of the building at ``index`` of a plan's ``buildings.features``.

    Parameters
    ----------
    feature : dict
        The GeoJSON Feature (may be malformed: the id of a non-feature is its position).
    index : int
        Its 0-based position in the collection.

    Returns
    -------
    str
        :func:`declared_id`, else ``"B<index + 1>"``.

    Examples
    --------
    >>> building_id({"type": "Feature", "properties": {"id": "11230-bldg-1549"}}, 0)
    '11230-bldg-1549'
    >>> building_id({"type": "Feature", "properties": {}}, 4)
    'B5'
    """
    fid = declared_id(feature)
    return fid if fid is not None else f"B{index + 1}"


def usage_of(properties) -> tuple[str, object] | tuple[None, None]:
    """``(key, value)`` of the first usage attribute present in ``properties``, or
    ``(None, None)``."""
    props = properties if isinstance(properties, Mapping) else {}
    for key in USAGE_KEYS:
        if _present(props.get(key)):
            return key, props[key]
    return None, None


def home_status(properties) -> bool | None:
    """Whether a building is a home: ``True``, ``False`` or ``None`` (not known).

    Parameters
    ----------
    properties : dict
        The feature's ``properties``.

    Returns
    -------
    bool or None
        From ``is_home`` when it is a yes/no value, else from the usage attribute (PLATEAU
        codes 411–415 [1]_ or a dwelling word), else ``None``.
    """
    props = properties if isinstance(properties, Mapping) else {}
    flag = props.get("is_home")
    if isinstance(flag, bool):
        return flag
    if isinstance(flag, int) or isinstance(flag, float) and math.isfinite(flag):
        return flag != 0
    if isinstance(flag, str):
        text = flag.strip().lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
    _, usage = usage_of(props)
    if usage is None:
        return None
    text = unicodedata.normalize("NFKC", str(usage)).strip().lower()
    return text in RESIDENTIAL_USAGE_CODES or any(w in text for w in _RESIDENTIAL_WORDS)


def is_home(properties) -> bool:
    """True when a building is somebody's home (:func:`home_status` is ``True``).

    Parameters
    ----------
    properties : dict
        The feature's ``properties`` (``None`` or a non-dict is not a home).

    Examples
    --------
    >>> is_home({"is_home": True}), is_home({"usage": "412"}), is_home({"usage": "402"})
    (True, True, False)
    >>> is_home({"usage": "411", "is_home": False})     # the user's choice wins
    False
    """
    return home_status(properties) is True


# --- changing buildings (the stored collection is shared and read-only: build a new one) ---
def _features(collection) -> list:
    feats = (collection or {}).get("features") if isinstance(collection, Mapping) else None
    return list(feats) if isinstance(feats, list) else []


def with_homes(collection, homes: Mapping[int, bool | None]) -> dict:
    """A copy of ``collection`` with the user's home choice of some buildings.

    Parameters
    ----------
    collection : dict
        The plan's ``buildings`` (a FeatureCollection; not changed).
    homes : mapping of int → bool or None
        Feature index → ``properties.is_home`` (``None`` removes the choice, so the usage
        rule of :func:`home_status` decides again).

    Examples
    --------
    >>> c = {"type": "FeatureCollection", "features": [{"properties": {"usage": "411"}}]}
    >>> is_home(with_homes(c, {0: False})["features"][0]["properties"])
    False
    >>> is_home(with_homes(c, {0: None})["features"][0]["properties"])
    True
    """
    feats = _features(collection)
    out = []
    for i, f in enumerate(feats):
        if i in homes:
            props = {k: v for k, v in _properties(f).items() if k != "is_home"}
            if homes[i] is not None:
                props["is_home"] = bool(homes[i])
            f = dict(f, properties=props)
        out.append(f)
    return dict(collection or {"type": "FeatureCollection"}, features=out)


def with_heights_by_type(collection, heights_m: Mapping[str, float]) -> dict:
    """A copy of ``collection`` where buildings of a 建物種別 (``properties.building_type``,
    as the 基盤地図情報 reader keeps it) get the height given for it [m]; other buildings
    keep theirs.

    Raises
    ------
    ValueError
        For a height outside (0, 1000) m.
    """
    for kind, h in heights_m.items():
        if not (isinstance(h, (int, float)) and math.isfinite(h) and 0 < h < 1000):
            raise ValueError(f"height of {kind!r} must be in (0, 1000) m, got {h!r}")
    out = []
    for f in _features(collection):
        kind = _properties(f).get("building_type")
        if kind in heights_m:
            f = dict(f, properties=dict(_properties(f), height_m=float(heights_m[kind])))
        out.append(f)
    return dict(collection or {"type": "FeatureCollection"}, features=out)
