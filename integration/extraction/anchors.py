"""Anchor words of the ACORD 25 page: printed labels that occur once, each with its left edge and vertical centre.

Measured in points (top-left origin) on the real blank 2016/03 form; the 2014/01 and 2010/05 editions print the
same labels in the same places, save a few in the auto row. Left edges are used because they stay put when a
system sets the labels in another font; centres drift with the width of the face.
"""

from __future__ import annotations

ANCHORS: tuple[tuple[str, float, float], ...] = (
    ("PRODUCER", 21.6, 126.2), ("FAX", 486, 135.7), ("PHONE", 309.6, 136.2), ("No):", 501.3, 141.2),
    ("No,", 325, 141.7), ("Ext):", 336.1, 141.7), ("E-MAIL", 309.6, 147.8), ("ADDRESS:", 309.6, 153.3),
    ("INSURER(S)", 369.1, 164.6), ("AFFORDING", 405.5, 164.6), ("NAIC", 557.3, 164.6), ("COVERAGES", 21.6, 247.1),
    ("REVISION", 424.8, 247.1), ("INSR", 20.1, 291.7), ("EFF", 360.8, 291.7), ("TYPE", 75.4, 295.7),
    ("NUMBER", 270.5, 296.7), ("LTR", 21.4, 297.2), ("INSD", 178.5, 297.7), ("COMMERCIAL", 54, 306.2),
    ("DAMAGE", 428.4, 315.2), ("RENTED", 465.9, 315.2), ("PREMISES", 428.4, 321.2), ("(Ea", 461.1, 321.2),
    ("occurrence)", 472.1, 321.2), ("MED", 428.4, 332.2), ("(Any", 457.1, 332.2), ("one", 471.1, 332.2),
    ("PERSONAL", 428.4, 344.2), ("ADV", 468.2, 344.2), ("GEN'L", 39.6, 356.2), ("APPLIES", 115.2, 356.2),
    ("PER:", 141.9, 356.2), ("PRO-", 97.2, 364.2), ("LOC", 140.4, 368.2), ("PRODUCTS", 428.4, 368.2),
    ("COMP/OP", 467.3, 368.2), ("AGG", 497.3, 368.2), ("JECT", 97.2, 369.6), ("OTHER:", 54, 380.7),
    ("SINGLE", 462.3, 387.8), ("AUTOMOBILE", 39.6, 390.2), ("AUTO", 67.9, 401.8), ("OWNED", 54, 411.8),
    ("SCHEDULED", 122.4, 411.8), ("accident)", 488.6, 414.2), ("UMBRELLA", 54, 450.2), ("EXCESS", 54, 462.2),
    ("DED", 54, 476.7), ("RETENTION$", 90, 476.7), ("PER", 442.8, 483.8), ("OTH-", 493.1, 483.8),
    ("WORKERS", 37.8, 485), ("COMPENSATION", 69.9, 485), ("STATUTE", 442.8, 489.2), ("ER", 493.2, 489.2),
    ("EMPLOYERS'", 52, 492), ("ACCIDENT", 458.9, 500.2), ("OFFICER/MEMBER", 37.8, 505.8),
    ("(Mandatory", 37.8, 511.7), ("NH)", 78.7, 511.7), ("EA", 471.7, 512.2), ("EMPLOYEE", 481.3, 512.2),
    ("yes,", 42.9, 518.7), ("describe", 55.8, 518.7), ("under", 80.2, 518.7), ("below", 131.4, 524.7),
    ("LOCATIONS", 117, 570.2), ("VEHICLES", 156.4, 570.2), ("CANCELLATION", 309.6, 655.5),
)
