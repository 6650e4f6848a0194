"""Where a value may be printed: its cell on the form, bounded by the ruled lines and labels, not only its widget.

Issuing systems print a row's letter, codes, number and dates anywhere in the row's block, and start the insured's
and the holder's lines at the box's left rule. Points, bottom-left origin, measured on the real form.
"""

from __future__ import annotations

from integration.extraction.fields import CHECKBOXES, TEXT_FIELDS, Rect

# The coverage grid's row blocks (bottom, top): general liability, auto, umbrella, workers comp, other.
ROW_BLOCKS: tuple[tuple[float, float], ...] = ((408, 492), (348, 408), (312, 348), (264, 312), (228, 264))
# Columns of the grid whose value belongs to the whole row block: letter, ADDL, SUBR, number, effective, expiry.
COLUMNS: tuple[tuple[float, float], ...] = ((18, 36), (176.4, 194.4), (194.4, 212.4), (212.4, 331.2), (331.2, 378),
                                            (378, 424.8))
# The party boxes below their labels: lines are read in order (name first, then the address).
PARTIES: dict[str, Rect] = {"NamedInsured": (18, 552, 306, 601), "CertificateHolder": (18, 48, 306, 131)}


# Limit amounts may start right after the printed "$" (left of the widget at 526) and end at the column's rule.
AMOUNT_LEFT, AMOUNT_RIGHT = 522.6, 594.0


def _cell(name: str, rect: Rect) -> Rect:
    x0, y0, x1, y1 = rect
    if x0 == 526 and "Amount" in name:
        return AMOUNT_LEFT, y0, AMOUNT_RIGHT, y1
    middle = (y0 + y1) / 2
    column = next((c for c in COLUMNS if c[0] - 1 <= x0 < c[1] - 1), None)
    block = next((b for b in ROW_BLOCKS if b[0] < middle < b[1]), None)
    if column is None or block is None or x1 > column[1] + 1:
        return rect
    return column[0], block[0], column[1], block[1]


def _party(name: str) -> str | None:
    return next((p for p in PARTIES if name.startswith(f"{p}_")), None)


# Every text field outside the party boxes, with the cell its value may occupy.
CELLS: dict[str, Rect] = {name: _cell(name, rect) for name, rect in TEXT_FIELDS.items() if _party(name) is None}
TICK_CELLS: dict[str, Rect] = dict(CHECKBOXES)


def party_of(name: str) -> str | None:
    """The party box ("NamedInsured" or "CertificateHolder") a field belongs to, if any."""
    return _party(name)
