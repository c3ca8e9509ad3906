"""Text tables: encoding detection, the delimiter, CSV / TSV rows.

Encodings UTF-8 (with or without BOM), UTF-16 / UTF-32 (BOM, or UTF-16 without one),
Shift_JIS / CP932 and EUC-JP; delimiters comma, tab, semicolon and ``|``.
"""
from __future__ import annotations

import codecs
import csv
import io

from .result import ImportResult, Limits

__all__ = ["decode_text", "mixed_encoding", "text_rows"]

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_TRY_ENCODINGS = ("utf-8", "cp932", "euc_jp")
#: The encodings as named to the user.
_ENCODING_NAMES = {"cp932": "Shift_JIS", "euc_jp": "EUC-JP"}


def decode_text(data: bytes) -> tuple[str | None, str]:
    """Decode the bytes of a text file, detecting the encoding.

    Order: a byte-order mark (UTF-8, UTF-16, UTF-32); UTF-16 without BOM (NUL bytes in
    every other position); strict UTF-8; strict CP932 (Shift_JIS with the Windows
    extensions, a superset of Shift_JIS); strict EUC-JP. A file whose lines are in
    different encodings (:func:`mixed_encoding`) is not decoded.

    Returns
    -------
    (text, encoding)
        ``text`` is ``None`` when no one encoding decodes the bytes; ``encoding`` is then
        ``"mixed"`` for a file of mixed encodings.
    """
    if mixed_encoding(data) is not None:
        return None, "mixed"
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc).lstrip("\ufeff"), enc
            except UnicodeDecodeError:
                return None, enc
    head = data[:4000]
    if len(head) >= 4:
        even_nul = head[0::2].count(0) / max(1, len(head[0::2]))
        odd_nul = head[1::2].count(0) / max(1, len(head[1::2]))
        for enc, cond in (("utf-16-le", odd_nul > 0.3 and even_nul < 0.05),
                          ("utf-16-be", even_nul > 0.3 and odd_nul < 0.05)):
            if cond:
                try:
                    return data.decode(enc), enc
                except UnicodeDecodeError:
                    pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    enc = _legacy_encoding(data)
    return (data.decode(enc), enc) if enc else (None, "")


def _legacy_encoding(data: bytes) -> str | None:
    """The first of CP932 and EUC-JP that decodes ``data`` strictly, or ``None``."""
    for enc in _TRY_ENCODINGS[1:]:
        try:
            data.decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    return None


def _japanese_utf8(line: bytes) -> bool:
    """The line is strict UTF-8 with a kana, kanji or full-width character in it.

    Those take three bytes in UTF-8 (U+3000–U+FFEF); a line of CP932 or EUC-JP text is
    practically never valid UTF-8 that decodes to them, while UTF-8 Japanese always does.
    """
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any("\u3000" <= ch <= "\uffef" for ch in text)


def mixed_encoding(data: bytes) -> tuple[int, str, str] | None:
    """The first line in another encoding than the rest of a file, or ``None``.

    A file some of whose lines are UTF-8 Japanese and others are not UTF-8 at all (a
    Shift_JIS / CP932 header pasted over UTF-8 rows, or the reverse) decodes as a whole
    only in CP932, turning the UTF-8 lines into mojibake (「地点1」 → 「蝨ｰ轤ｹ1」). The
    encoding of most non-ASCII lines is taken as the file's (a tie: its first such line's);
    the first line in the other one is named. Files with a UTF-16 / UTF-32 byte-order mark
    or NUL bytes (UTF-16) are not looked at.

    Parameters
    ----------
    data : bytes
        The file.

    Returns
    -------
    (line, file_encoding, line_encoding) or None
        ``line``: the 1-based physical line; the encodings as named to the user:
        ``"UTF-8"``, ``"Shift_JIS"`` (CP932) or ``"EUC-JP"`` (``"?"``: none of them).
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif b"\x00" in data[:4000] or any(data.startswith(bom) for bom, _ in _BOMS):
        return None
    if data.isascii():
        return None
    try:
        data.decode("utf-8")
        return None                               # UTF-8 throughout
    except UnicodeDecodeError:
        pass
    lines: dict[bool, list] = {True: [], False: []}     # UTF-8 or not: (line, bytes)
    for n, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        utf8 = _japanese_utf8(line)
        if not utf8:
            try:
                line.decode("utf-8")
                continue                          # UTF-8, not Japanese: no evidence
            except UnicodeDecodeError:
                pass
        lines[utf8].append((n, line))
    if not lines[True] or not lines[False]:
        return None
    n_utf8, n_other = len(lines[True]), len(lines[False])
    file_utf8 = n_utf8 > n_other or (n_utf8 == n_other
                                     and lines[True][0][0] < lines[False][0][0])
    legacy = _legacy_encoding(b"\n".join(line for _, line in lines[False]))
    name = {True: "UTF-8", False: _ENCODING_NAMES.get(legacy, "?")}
    return lines[not file_utf8][0][0], name[file_utf8], name[not file_utf8]


def _sniff_delimiter(text: str) -> str:
    """The delimiter among , ; tab | that splits the first lines most consistently."""
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", (0, 0.0)
    for d in (",", "\t", ";", "|"):
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=d)]
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        share = counts.count(mode) / len(counts)
        score = (mode if mode > 1 else 0, share)
        if score[0] > 1 and (share > best_score[1] + 0.2 or
                             (share >= best_score[1] - 0.2 and score[0] > best_score[0])):
            best, best_score = d, score
    return best


def _csv_rows(text: str, delimiter: str, limits: Limits, res: ImportResult):
    """Rows of a CSV text as lists of strings (NUL bytes removed), bounded by max_rows.

    What the parser cannot read is reported with the lines it concerns, never dropped in
    silence: a field longer than the csv module's limit (131,072 characters) loses its
    line (``field_too_long``); a quote (") opened and never closed would swallow every
    line after it into one field, so those lines are reported (``unclosed_quote``) and the
    swallowed record dropped.
    """
    text = text.replace("\x00", "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, starts = [], []
    while True:
        start = reader.line_num + 1               # the record's first physical line
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            code = "field_too_long" if "field limit" in str(exc) else "csv_syntax"
            res.add(start, "", code, f"{start}", str(exc))
            continue
        rows.append(row)
        starts.append(start)
        if len(rows) > limits.max_rows + 12:       # header + a few title lines
            return rows, True
    if rows and text.count('"') % 2 and any("\n" in f for f in rows[-1]):
        first, last = starts[-1], reader.line_num
        res.add(first, "", "unclosed_quote", f"{first}–{last}",
                f"a quote opened on line {first} is never closed: lines {first}–{last} "
                "were not read")
        rows.pop()
    return rows, False


def text_rows(data: bytes, res: ImportResult, limits: Limits):
    """Rows (lists of strings) of a CSV / TSV file, or ``None`` when it cannot be read
    (the problem is recorded in ``res``)."""
    text, enc = decode_text(data)
    if enc == "mixed":
        line, file_enc, line_enc = mixed_encoding(data)
        res.add(None, "", "mixed_encoding", str(line),
                f"line {line} is in {line_enc}, the rest of the file in {file_enc}: save "
                f"the whole file in one encoding (UTF-8, or Shift_JIS/CP932)")
        return None
    if text is None:
        res.add(None, "", "unknown_encoding", "",
                "the file is not text in UTF-8, UTF-16, Shift_JIS/CP932 or EUC-JP")
        return None
    res.meta["format"] = "csv"
    res.meta["encoding"] = enc
    if enc not in ("utf-8", "utf-8-sig"):
        res.add(None, "", "encoding", enc, f"read as {enc}", "info")
    delim = _sniff_delimiter(text)
    res.meta["delimiter"] = delim
    if delim != ",":
        res.add(None, "", "delimiter", {"\t": "tab"}.get(delim, delim),
                f"columns are separated by {'tab' if delim == chr(9) else repr(delim)}", "info")
    rows, over = _csv_rows(text, delim, limits, res)
    if over:
        res.add(None, "", "too_many_rows", str(limits.max_rows),
                f"the file has more than {limits.max_rows:,} rows (the limit); split it")
        return None
    return rows
