"""The GC's carrier table: NAIC number -> A.M. Best rating, read from an uploaded CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from integration.refusals import Refusal

# A.M. Best financial strength ratings, best first. "NR" (not rated) is deliberately absent.
RATING_ORDER = ("A++", "A+", "A", "A-", "B++", "B+", "B", "B-", "C++", "C+", "C", "C-", "D", "E", "F", "S")
# Financial size classes I (smallest surplus) to XV (largest).
SIZE_CLASSES = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")
NOT_RATED = ("NR", "")

REQUIRED_COLUMNS = ("naic", "am_best_rating")
OPTIONAL_COLUMNS = ("name", "financial_size_class")


def normalize_rating(value: str) -> str:
    """Canonical form of an A.M. Best rating ("a-" -> "A-"); ValueError if unknown."""
    rating = value.strip().upper()
    if rating not in RATING_ORDER:
        raise ValueError(f"unknown A.M. Best rating {value!r}; expected one of {', '.join(RATING_ORDER)}")
    return rating


def normalize_size_class(value: str) -> int:
    """The financial size class as 1..15 from its roman numeral ("VII" -> 7); ValueError if unknown."""
    numeral = value.strip().upper()
    if numeral not in SIZE_CLASSES:
        raise ValueError(f"unknown financial size class {value!r}; expected I to XV")
    return SIZE_CLASSES.index(numeral) + 1


def rating_at_least(rating: str, minimum: str) -> bool:
    """True when ``rating`` is as good as or better than ``minimum``."""
    return RATING_ORDER.index(normalize_rating(rating)) <= RATING_ORDER.index(normalize_rating(minimum))


def normalize_naic(value: str) -> str:
    """A NAIC company code as five digits ("1234" -> "01234"); ValueError if not 1-5 digits."""
    code = value.strip()
    if not code.isdigit() or len(code) > 5:
        raise ValueError(f"NAIC code must be 1 to 5 digits, got {value!r}")
    return code.zfill(5)


@dataclass(frozen=True)
class Carrier:
    """One insurer row: its NAIC code, name, rating (None = not rated) and size class (1..15)."""

    naic: str
    name: str
    rating: str | None
    size_class: int | None = None


class CarrierTable(Mapping[str, Carrier]):
    """Carriers by NAIC code; lookups accept codes with or without leading zeros."""

    def __init__(self, carriers: list[Carrier]) -> None:
        self._by_naic = {carrier.naic: carrier for carrier in carriers}

    def __getitem__(self, naic: str) -> Carrier:
        return self._by_naic[normalize_naic(naic)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_naic)

    def __len__(self) -> int:
        return len(self._by_naic)

    def find(self, naic: str | None) -> Carrier | None:
        """The carrier for ``naic``, or None when unknown or malformed."""
        try:
            return self[naic] if naic else None
        except (KeyError, ValueError):
            return None


class CarrierCsvError(Refusal, ValueError):
    """The carrier CSV is invalid; ``errors`` lists each problem with its row and column."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("carrier table is invalid:\n" + "\n".join(errors))
        self.errors = errors


def parse_carriers_csv(text: str) -> CarrierTable:
    """Parse and validate a carrier CSV (header row: naic, am_best_rating[, name, financial_size_class])."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(column or "").strip().lower() for column in reader.fieldnames or []]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise CarrierCsvError([f"row 1: missing column(s) {', '.join(missing)}; found {', '.join(header) or 'none'}"])
    reader.fieldnames = header
    carriers: list[Carrier] = []
    errors: list[str] = []
    for row_number, row in enumerate(reader, start=2):  # row 1 is the header, as in a spreadsheet
        carrier = _parse_row(row, row_number, errors)
        if carrier and any(seen.naic == carrier.naic for seen in carriers):
            errors.append(f"row {row_number}, column naic: duplicate NAIC code {carrier.naic}")
        elif carrier:
            carriers.append(carrier)
    if errors:
        raise CarrierCsvError(errors)
    return CarrierTable(carriers)


def _parse_row(row: dict[str, str | None], row_number: int, errors: list[str]) -> Carrier | None:
    """One CSV row as a Carrier, appending any problems (naming row and column) to ``errors``."""
    values = {key: (value or "").strip() for key, value in row.items() if key}
    if None in row:
        errors.append(f"row {row_number}: more values than columns")
        return None
    found = len(errors)
    naic = _cell(values, "naic", normalize_naic, row_number, errors)
    rating = None
    if values.get("am_best_rating", "").upper() not in NOT_RATED:
        rating = _cell(values, "am_best_rating", normalize_rating, row_number, errors)
    size = None
    if values.get("financial_size_class"):
        size = _cell(values, "financial_size_class", normalize_size_class, row_number, errors)
    if len(errors) > found:
        return None
    return Carrier(naic=naic, name=values.get("name", ""), rating=rating, size_class=size)


def _cell(values: dict[str, str], column: str, parse, row_number: int, errors: list[str]):
    """Parse one cell, recording ``row N, column C: message`` on failure."""
    try:
        return parse(values.get(column, ""))
    except ValueError as exc:
        errors.append(f"row {row_number}, column {column}: {exc}")
        return None
