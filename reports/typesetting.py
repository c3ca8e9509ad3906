"""Japanese typesetting shared by the PDFs (the plan book, the 配置図 panel): line breaking
with 行頭禁則 and 行末禁則."""
from __future__ import annotations

import re

__all__ = ["wrap_japanese"]

# 行頭禁則 (JIS X 4051 §6.1.3 and the usual Word/LibreOffice set): never at a line start.
_NO_LINE_START = frozenset("、。，．,.：；:;！？!?）)］]｝}〕〉》」』】〙〗ー々ゝゞヽヾぁぃぅぇぉっゃゅょゎ"
                           "ァィゥェォッャュョヮヵヶ・…‥%％")
# 行末禁則: never at a line end.
_NO_LINE_END = frozenset("（([［｛{〔〈《「『【〘〖")
# a run of Latin letters / digits stays together (a URL may still break where it must)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,:/\-_%@#?=&~+]*|[ \t]+|.")


def wrap_japanese(text: str, fits) -> list[str]:
    """Break ``text`` into lines that fit, keeping 行頭禁則 and 行末禁則.

    Parameters
    ----------
    text : str
        Text; ``"\\n"`` starts a new paragraph.
    fits : callable
        ``fits(line) -> bool``: whether a line fits the width (e.g. a string-width test).

    Returns
    -------
    list of str
        The lines. A line never starts with a 行頭禁止 character (、。」…) nor ends with
        a 行末禁止 one (「（…): the last character(s) of the line before are carried over
        (追い出し), so no line grows past the width. Runs of Latin letters and digits
        break only when a run alone is wider than a line.

    References
    ----------
    .. [1] JIS X 4051:2004 日本語文書の組版方法, 6.1 行頭禁則・行末禁則.
    .. [2] W3C, Requirements for Japanese Text Layout (JLREQ), 3.1.7–3.1.10,
       https://www.w3.org/TR/jlreq/
    """
    out: list[str] = []
    for para in str(text).split("\n"):
        lines: list[str] = []
        cur = ""
        for tok in _TOKEN.findall(para):
            if fits(cur + tok):
                cur += tok
                continue
            if tok.isspace():
                lines.append(cur)
                cur = ""
                continue
            if not fits(tok):  # a run wider than a line: break it by character
                for ch in tok:
                    if cur and not fits(cur + ch):
                        lines.append(cur)
                        cur = ""
                    cur += ch
                continue
            carry = ""
            if tok[0] in _NO_LINE_START:
                # move the characters that must not start a line back with the one before
                while len(cur) > 1 and cur[-1] in _NO_LINE_START:
                    carry = cur[-1] + carry
                    cur = cur[:-1]
                if len(cur) > 1:
                    carry = cur[-1] + carry
                    cur = cur[:-1]
            while len(cur) > 1 and cur[-1] in _NO_LINE_END:
                carry = cur[-1] + carry
                cur = cur[:-1]
            lines.append(cur.rstrip())
            cur = (carry + tok).lstrip()
        lines.append(cur.rstrip())
        out.extend(lines)
    return out
