"""The text of a CSV survey export: decode its bytes (encoding detected) and locate cells in it.

Pure; no pandas. Locations are given as a spreadsheet shows them: record 1 is the first line,
and a quoted cell holding line breaks is still one row.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from coder.core.errors import InputError, Note, Remedy
from coder.core.printable import quoted

# A well-formed UTF-8 sequence of two to four bytes (RFC 3629: no overlongs, no surrogates).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
# Longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_LABELS = {
    "utf-8": "UTF-8",
    "utf-16-le": "UTF-16 (little-endian)",
    "utf-16-be": "UTF-16 (big-endian)",
    "utf-32-le": "UTF-32 (little-endian)",
    "utf-32-be": "UTF-32 (big-endian)",
    "cp1252": "Windows-1252",
}
_NAME_IT = "name the file's encoding"
#: Naming the encoding (e.g. Windows-1252) is what helps with an undecodable byte.
_ENCODING = Remedy(option="encoding", example="cp1252")
_CUT_SHORT = ("truncated data", "unexpected end of data")


@dataclass(frozen=True)
class DecodedText:
    """A file's text, the encoding it was read in, and notes for the user on that choice."""

    text: str
    encoding: str
    notes: tuple[str, ...] = ()


def decode_survey_bytes(path: str, data: bytes, encoding: str | None = None) -> DecodedText:
    """Decode a CSV export, never guessing over bytes that say otherwise.

    UTF-8 (with or without BOM) is used when the whole file is valid UTF-8. A file with a UTF-16
    or UTF-32 BOM, or with the NUL pattern of mostly-ASCII UTF-16/32, is read as that. A file
    that holds UTF-8 text but also bytes that are not UTF-8 is refused: decoding it all as another
    encoding would turn every accented letter into mojibake. Only a file with no UTF-8 sequence
    at all is read as Windows-1252, with a note saying so.

    Args:
        path: The file's name, for messages.
        data: Its bytes.
        encoding: A codec name to use instead of detecting one.

    Raises:
        InputError: The encoding is unknown, or a byte cannot be decoded; the message names the
            byte, its row and column, and how to force an encoding.
    """
    if encoding is not None:
        codec = text_codec(path, encoding)
        skip = 3 if codec == "utf-8" and data.startswith(b"\xef\xbb\xbf") else 0
        text = _strict(path, data, skip, codec, f"is not valid {encoding} text")
        return DecodedText(text.removeprefix("\ufeff"), encoding)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            problem = f"is not valid {_LABELS[codec]}, which the file's byte order mark says it is"
            text = _strict(path, data, len(bom), codec, f"{problem}: correct it, or {_NAME_IT}",
                           _ENCODING)
            return DecodedText(text, "utf-8-sig" if codec == "utf-8" else codec)
    wide = _wide_unicode(data)
    if wide is not None:
        problem = f"is not valid {_LABELS[wide]}, which the file's NUL bytes say it is"
        return DecodedText(
            _strict(path, data, 0, wide, f"{problem}: correct it, or {_NAME_IT}", _ENCODING), wide
        )
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    is_utf8 = _UTF8_MULTIBYTE.search(data) is not None
    if utf8_error.reason in _CUT_SHORT and (is_utf8 or len(data) - utf8_error.start > 1):
        raise _undecodable(path, data, 0, "utf-8", utf8_error.start, _cut_short("utf-8"))
    if is_utf8:
        bad = sum(1 for c in data.decode("utf-8", "surrogateescape") if "\udc80" <= c <= "\udcff")
        problem = (
            "is not UTF-8, though the rest of the file is: correct it"
            if bad == 1
            else f"is not UTF-8 (nor are {bad - 1} other bytes), though the file also holds"
            " UTF-8 text: correct them"
        )
        raise _undecodable(path, data, 0, "utf-8", utf8_error.start, f"{problem}, or {_NAME_IT}",
                           remedy=_ENCODING)
    text = _strict(
        path,
        data,
        0,
        "cp1252",
        "is neither UTF-8 nor Windows-1252 text: save the file as UTF-8 and import again,"
        f" or {_NAME_IT}",
        Remedy(option="encoding"),
    )
    note = Note(
        "read as Windows-1252: the file is not UTF-8 and holds no UTF-8 text; if accented"
        f" letters look wrong, import it again and {_NAME_IT}",
        Remedy(option="encoding"),
    )
    return DecodedText(text, "cp1252", (note,))


def text_codec(path: str, name: str) -> str:
    """The codec's canonical name; InputError if `name` is no text encoding Python knows."""
    try:
        b"a".decode(name, "replace")  # refuses bytes-to-bytes codecs such as base64
        return codecs.lookup(name).name
    except (LookupError, UnicodeError):
        raise InputError(
            f"unknown encoding {quoted(name)} (for example: utf-8, cp1252, latin-1, utf-16)",
            path=path,
        ) from None


def _cut_short(codec: str) -> str:
    name = _LABELS.get(codec, codec)
    return f"is the start of a {name} character cut short at the end of the file: is it truncated?"


def _wide_unicode(data: bytes) -> str | None:
    """UTF-16 or UTF-32 without a BOM, told by the NULs that pad mostly-ASCII text."""
    sample = data[:4096]
    if b"\x00" not in sample:
        return None
    for width, little, big in ((4, "utf-32-le", "utf-32-be"), (2, "utf-16-le", "utf-16-be")):
        units = [sample[i : i + width] for i in range(0, len(sample) - width + 1, width)]
        if len(units) < 8:
            continue  # too short to tell, and too short to be a survey
        pad = b"\x00" * (width - 1)
        little_units = sum(u[0] != 0 and u[1:] == pad for u in units)
        big_units = sum(u[-1] != 0 and u[:-1] == pad for u in units)
        # Half the units padded one way and hardly any the other: NULs scattered through UTF-8
        # text fall on both sides.
        if little_units * 2 >= len(units) and big_units * 10 <= len(units):
            return little
        if big_units * 2 >= len(units) and little_units * 10 <= len(units):
            return big
    return None


def _strict(path: str, data: bytes, skip: int, codec: str, problem: str,
            remedy: Remedy | None = None) -> str:
    try:
        return data[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        if exc.reason in _CUT_SHORT and skip + exc.end >= len(data):
            problem = _cut_short(codec)
        raise _undecodable(
            path, data, skip, codec, skip + exc.start, problem, skip + exc.end, remedy
        ) from None


def _undecodable(
    path: str,
    data: bytes,
    skip: int,
    codec: str,
    offset: int,
    problem: str,
    end: int | None = None,
    remedy: Remedy | None = None,
) -> InputError:
    """An error naming the undecodable bytes at `offset` and the row and column they are in."""
    bad = data[offset : end if end is not None and end > offset else offset + 1]
    named = " ".join(f"0x{b:02x}" for b in bad[:4])
    prefix = data[skip:offset].decode(codec, errors="replace")
    sample = data[skip : skip + 262144].decode(codec, errors="replace")
    delimiter = sniff_delimiter(sample)
    row, column = cell_at(prefix, delimiter)
    header_row, header = first_record(sample, delimiter)
    name = f"#{column}"
    if row > header_row and column <= len(header) and header[column - 1].strip():
        name = header[column - 1].strip()
    if len(bad) > 1 and problem.startswith("is "):
        problem = "are " + problem[3:]
    return InputError(
        f"byte{'s' if len(bad) > 1 else ''} {named} {problem}", path=path, row=row, column=name,
        remedy=remedy,
    )


_DELIMITERS = ",;\t|"


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: comma, semicolon, tab or bar (comma when unclear).

    csv.Sniffer guesses first; a guess that does not split the sample into records of one width
    (more than one column) gives way to a delimiter that does, the one making most columns.
    """
    sample = text[:65536]
    try:
        guess = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except Exception:  # a heuristic over arbitrary text: any failure means "no clear answer"
        first = sample.split("\n", 1)[0]
        counts = {d: first.count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        guess = best if counts[best] else ","
    if _even_width(sample, guess, len(text) > len(sample)):
        return guess
    widths = {d: _even_width(sample, d, len(text) > len(sample)) for d in _DELIMITERS}
    best = max(widths, key=lambda d: widths[d])
    return best if widths[best] else guess


def _even_width(sample: str, delimiter: str, cut: bool) -> int:
    """The width of every record of `sample` split at `delimiter` if all agree and exceed 1."""
    if delimiter not in sample:
        return 0
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    try:
        widths = [len(record) for record in reader if any(c.strip() for c in record)]
    except csv.Error:
        return 0
    if cut and len(widths) > 1:
        widths.pop()  # the sample may end inside its last record
    return widths[0] if widths and widths[0] > 1 and len(set(widths)) == 1 else 0


# -- locating cells, by the csv module's rules but without its limits ---------------------------


def _cell_pattern(delimiter: str) -> re.Pattern[str]:
    d = re.escape(delimiter)
    return re.compile(f'"(?:[^"]+|"")*(?P<close>"?)(?P<rest>[^{d}\\r\\n]*)|[^{d}\\r\\n]*')


def _cells(
    text: str, delimiter: str, start: int = 0, row: int = 1
) -> Iterator[tuple[int, int, re.Match[str]]]:
    """(row, column, match) of every cell from `start` on; rows count records, not lines."""
    pattern = _cell_pattern(delimiter)
    column, position, size = 1, start, len(text)
    while True:
        match = pattern.match(text, position)
        assert match is not None  # the pattern also matches the empty string
        yield row, column, match
        position = match.end()
        if position >= size:
            return
        if text[position] == delimiter:
            column += 1
            position += 1
        else:
            position += 2 if text.startswith("\r\n", position) else 1
            row, column = row + 1, 1


def _value(match: re.Match[str]) -> str:
    whole = match.group(0)
    if not whole.startswith('"'):
        return whole
    inner = whole[1 : len(whole) - len(match["close"]) - len(match["rest"])]
    return inner.replace('""', '"') + match["rest"]


def cell_at(text: str, delimiter: str) -> tuple[int, int]:
    """(row, column) of the cell that the character just after `text` falls in."""
    ((row, column, _),) = deque(_cells(text, delimiter), maxlen=1)
    return row, column


def first_record(text: str, delimiter: str) -> tuple[int, list[str]]:
    """(row, cells) of the first record with any text in it; (1, []) when there is none."""
    current_row, cells = 1, list[str]()
    for row, _, match in _cells(text, delimiter):
        if row != current_row:
            if any(c.strip() for c in cells):
                return current_row, cells
            current_row, cells = row, []
        cells.append(_value(match))
    return (current_row, cells) if any(c.strip() for c in cells) else (1, [])


def problem_cell(text: str, start: int, row: int, delimiter: str) -> tuple[int, int, bool] | None:
    """The cell of the record at `start` (row `row`) that the csv module refuses in strict mode.

    Returns (row, column, unclosed): a quoted cell never closed (unclosed) or one with text after
    its closing quote; None if the record has neither.
    """
    for cell_row, column, match in _cells(text, delimiter, start, row):
        if cell_row != row:
            return None
        if match.group(0).startswith('"') and (not match["close"] or match["rest"]):
            return cell_row, column, not match["close"]
    return None
