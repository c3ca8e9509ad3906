"""Every page, in Japanese and in English, shows no developer leftovers: internal file names,
internal notes, plan field names, raw codes, Python reprs or Streamlit's English built-ins.

The pages run under AppTest on a plan with every section filled and the sample district
(so tables, metrics and the simulation have content). Every text AppTest can see is
collected: markdown, captions, titles, headers, alerts, metrics, tab and expander labels,
widget labels, options, placeholders and help, and the cells and column names of tables.

What AppTest cannot see is drawn by Streamlit's frontend: the file uploader's 「Browse
files」 / 「Drag and drop file here」 / 「200MB per file」 texts, a dropdown's 「No results」,
and the data editor's own menus. The empty-widget texts 「Choose options」 / 「Choose an
option」 and the dropdown's 「Select all」 are drawn by the frontend too, but only when the
page sends no placeholder (or leaves ``select_all`` on), which AppTest does see.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable

import pandas as pd
import pytest

from assessments.records import is_missing
from pagetest import run_page_on_plan
from ui.strings import load_all

PAGES = ["home", "use_cases", "compare_cases", "readiness", "privacy", "project_plan",
         "grants", "simulate", "export", "present"]

# Texts that only a developer would recognise.
INTERNAL = re.compile(
    r"[\w./-]+\.(?:md|py)\b|facts\.md|shared/|assessments/|datasets/|シード|"
    r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")            # snake_case: a plan field or raw code
URL = re.compile(r"https?://\S+|\b(?:[a-z0-9-]+\.)+[a-z]{2,}/\S*|:material/[a-z_]+:")  # links, icons
REPR_CELLS = {"None", "nan", "NaN", "NaT", "<NA>", "True", "False"}
# A UI string key shown as itself (``ui.i18n.t`` of an unknown key): one of the keys'
# first parts, then dotted parts (``map.layer.park``).
STRING_KEY = re.compile(r"\b(?:%s)(?:\.[a-z0-9_]+)+\b" % "|".join(
    sorted({k.split(".")[0] for k in load_all()})))
ST_ENGLISH = ("Choose options", "Choose an option", "Select all", "No results",
              "Browse files", "Drag and drop")


def _cell(value) -> str | None:
    """A table cell as the page shows it (Streamlit draws a missing value as "None")."""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if is_missing(value):
        return "None"
    return str(value)


def _texts(at) -> list[tuple[str, str]]:
    """``(where, text)`` for every text of the page's element tree."""
    out: list[tuple[str, str]] = []

    def walk(node):
        kind = getattr(node, "type", type(node).__name__)
        if kind in ("dataframe", "arrow_data_frame", "table"):
            df = node.value
            # AppTest gives the raw frame; the browser shows the column_config labels, a
            # selectbox column's option labels, and ``placeholder`` for a missing value
            config = json.loads(getattr(node.proto, "columns", "") or "{}")
            empty = (node.proto.placeholder if "placeholder" in node.proto.DESCRIPTOR.fields_by_name
                     and node.proto.HasField("placeholder") else None)
            for column in df.columns:
                conf = config.get(str(column)) or {}
                if conf.get("hidden"):
                    continue
                out.append((f"{kind} column", conf.get("label") or str(column)))
                if pd.api.types.is_bool_dtype(df[column]):
                    continue                         # drawn as check boxes
                labels = {o.get("value"): o.get("label") or o.get("value")
                          for o in (conf.get("type_config") or {}).get("options") or ()
                          if isinstance(o, dict)}
                for v in df[column]:
                    text = _cell(v)
                    if text == "None" and empty is not None:
                        text = empty
                    where = f"{kind} {'text' if isinstance(v, str) else 'value'} cell [{column}]"
                    out.append((where, labels.get(v, text) if isinstance(v, str) else text))
        proto = getattr(node, "proto", None)
        if proto is not None and kind not in ("dataframe", "arrow_data_frame", "table"):
            for field in ("label", "body", "placeholder", "help", "value", "caption", "text"):
                value = getattr(proto, field, None)
                if isinstance(value, str) and value:
                    out.append((f"{kind}.{field}", value))
            for field in ("options", "default", "display_values"):
                values = getattr(proto, field, None)
                for value in values if isinstance(values, Iterable) else ():
                    if isinstance(value, str):
                        out.append((f"{kind}.{field}", value))
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                walk(child)

    walk(at._tree)
    return out


def _problems(at, lang: str) -> list[str]:
    found = []
    for where, text in _texts(at):
        plain = URL.sub("", text)
        if "cell" in where and text in REPR_CELLS:
            found.append(f"{where}: Python value {text!r}")
        elif m := INTERNAL.search(plain) or STRING_KEY.search(plain):
            found.append(f"{where}: internal name {m.group(0)!r} in {text[:120]!r}")
        elif text.strip() in REPR_CELLS and "options" not in where:
            # an option 「None」 is an English label (a level or an answer), not a repr
            found.append(f"{where}: Python value {text!r}")
        elif lang == "ja" and any(s in text for s in ST_ENGLISH):
            found.append(f"{where}: Streamlit English {text[:120]!r}")
        elif lang == "ja" and "value cell" not in where and re.fullmatch(r"[a-z]+|\d{6}",
                                                                         text.strip()):
            found.append(f"{where}: raw code {text!r}")
    if lang == "ja":
        # With no placeholder the frontend writes 「Choose options」 / 「Choose an option」;
        # a multiselect's dropdown offers 「Select all」 unless select_all is off.
        empty = list(at.multiselect) + [b for b in at.selectbox if b.value is None]
        for box in empty:
            if not box.proto.placeholder.strip():
                found.append(f"{box.type} {box.label!r}: no Japanese placeholder")
        for box in at.multiselect:
            if box.proto.select_all:
                found.append(f"multiselect {box.label!r}: Streamlit's English 「Select all」")
    return found


def _plan() -> dict:
    """Every section filled (readiness and privacy answers, costs, KPIs, a grant) and the
    sample district (area, buildings, cameras, lights, map layers)."""
    from test_excel import sample_plan
    from ui.simulation import sample_district
    plan = sample_plan()
    plan.update(sample_district())
    plan["grant"]["scheme_id"] = None             # sample_plan's test scheme is not in the data
    return plan


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_no_internal_names_raw_codes_or_english_builtins(page, lang, workspace_path):
    at, _ = run_page_on_plan(page, workspace_path, _plan(), lang=lang, timeout=180)
    texts = _texts(at)
    assert len(texts) > 10                      # the page drew its content
    problems = _problems(at, lang)
    assert not problems, "\n".join(problems)


def test_the_scan_finds_leftovers():
    """The scan itself catches each kind of leftover (so a clean page means something)."""
    from streamlit.testing.v1 import AppTest

    def page():
        import pandas as pd
        import streamlit as st
        st.caption("出典: facts.md §3a")
        st.markdown("シード報告")
        st.dataframe(pd.DataFrame({"a": [None, "x"], "b": ["unit_price_jpy", "government"]}))
        st.multiselect("地区", ["a", "b"])

    at = AppTest.from_function(page).run()
    problems = "\n".join(_problems(at, "ja"))
    assert "'facts.md'" in problems and "'シード'" in problems
    assert "Python value 'None'" in problems and "'unit_price_jpy'" in problems
    assert "raw code 'government'" in problems
    assert "no Japanese placeholder" in problems and "「Select all」" in problems
