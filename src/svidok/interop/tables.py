"""Reading spreadsheets (CSV, XLSX) as numbered rows of text, whatever their encoding.

Files from Ukraine often come as CP1251 or as UTF-8 with a byte-order mark, with ';'
as the separator (Excel's default where the decimal mark is a comma), and XLSX files
have merged cells. The reader hides all of that: it yields the header and then
``(row_number, [text, ...])`` with row numbers as a spreadsheet program shows them.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

_PROBE = 1 << 20


class TableError(ValueError):
    """The file cannot be read as a table at all (the message says why)."""


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    encoding: str | None = None
    delimiter: str | None = None
    #: Notes about the file as a whole (e.g. "merged cells A2:A4 filled down").
    notes: list[str] = field(default_factory=list)
    #: Row number -> notes about that row (values taken from merged cells).
    row_notes: dict[int, list[str]] = field(default_factory=dict)


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` when the whole file is UTF-8 (with or without BOM), else ``cp1251``.

    The whole file is checked (incrementally, so memory stays flat): a CP1251 file may
    be pure ASCII for its first megabytes and only then hold Cyrillic.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        while chunk := fh.read(_PROBE):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return "cp1251"
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1251"
    return "utf-8-sig"


def sniff_delimiter(sample: str) -> str:
    first = sample.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_csv(path: Path, encoding: str = "auto", delimiter: str = "auto", header_row: int = 1) -> Table:
    enc = detect_encoding(path) if encoding == "auto" else encoding
    if enc.lower().replace("-", "") in ("utf8", "utf8sig"):
        enc = "utf-8-sig"  # a BOM is never part of the first column's name
    fh = path.open(encoding=enc, newline="", errors="strict")
    sample = fh.read(64 * 1024)
    fh.seek(0)
    delim = sniff_delimiter(sample) if delimiter == "auto" else delimiter
    reader = csv.reader(fh, delimiter=delim)
    header: list[str] | None = None
    number = 0
    try:
        for number, raw in enumerate(reader, start=1):
            if number == header_row:
                header = [h.strip() for h in raw]
                break
    except (UnicodeDecodeError, csv.Error) as exc:
        fh.close()
        raise TableError(f"{path.name}: cannot read the header as {enc}: {exc}") from None
    if header is None:
        fh.close()
        raise TableError(f"{path.name}: no header row (expected it on line {header_row})")

    def rows() -> Iterator[tuple[int, list[str]]]:
        n = number
        try:
            for raw in reader:
                n += 1
                if not any(raw):
                    continue
                yield n, raw
        except UnicodeDecodeError as exc:
            raise TableError(f"{path.name}: line {n + 1} is not valid {enc} ({exc.reason}); "
                             f"set 'encoding:' in the mapping") from None
        except csv.Error as exc:
            raise TableError(f"{path.name}: line {n + 1}: {exc}") from None
        finally:
            fh.close()

    return Table(header, rows(), encoding=enc, delimiter=delim)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_xlsx(path: Path, sheet: str | None = None, header_row: int = 1) -> Table:
    """An XLSX sheet; merged cells are filled with their top-left value and noted per row."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        wb = load_workbook(path, data_only=True)  # not read-only: merged ranges are needed
    except Exception as exc:
        raise TableError(f"{path.name}: not a readable XLSX workbook ({exc})") from None
    if sheet is not None and sheet not in wb.sheetnames:
        raise TableError(f"{path.name}: no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})")
    ws = wb[sheet] if sheet else wb.worksheets[0]
    grid = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    notes, row_notes = [], {}
    width = max((len(r) for r in grid), default=0)
    for rng in list(ws.merged_cells.ranges):
        r0, c0, r1, c1 = rng.min_row, rng.min_col, rng.max_row, rng.max_col
        value = grid[r0 - 1][c0 - 1]
        notes.append(f"merged cells {rng.coord} filled with {value!r}")
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                grid[r - 1][c - 1] = value
            if r > header_row and r != r0:
                row_notes.setdefault(r, []).append(
                    f"column {get_column_letter(c0)}: value {value!r} taken from merged cells {rng.coord}")
    if len(grid) < header_row:
        raise TableError(f"{path.name}: sheet {ws.title!r} has no header row {header_row}")
    header = [h.strip() for h in grid[header_row - 1]] + [""] * 0
    header += [""] * (width - len(header))

    def rows() -> Iterator[tuple[int, list[str]]]:
        for n in range(header_row + 1, len(grid) + 1):
            raw = grid[n - 1]
            if any(raw):
                yield n, raw

    return Table(header, rows(), notes=notes, row_notes=row_notes)


def read_table(path: Path, encoding: str = "auto", delimiter: str = "auto", sheet: str | None = None,
               header_row: int = 1) -> Table:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, sheet, header_row)
    if suffix == ".xls":
        raise TableError(f"{path.name}: old Excel (.xls) files are not read; save it as .xlsx or .csv")
    return read_csv(path, encoding, delimiter, header_row)


def csv_text(rows: list[list[str]]) -> str:
    """Rows as CSV text (helper for tests and examples)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()
