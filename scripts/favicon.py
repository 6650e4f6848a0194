"""Draw Gapline's favicon (a white shield with a gap, on the brand orange) as SVG and ICO.

The two files in embedded_views/static are written by this script: `.venv/bin/python scripts/favicon.py`.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parent.parent / "embedded_views" / "static"
BRAND, WHITE = "#e0561b", "#ffffff"
# The shield on a 32-unit grid, clockwise from the top left; the gap is a slanted cut through its middle.
UPPER = [(8, 5), (24, 5), (24, 12), (8, 16)]
LOWER = [(8, 19), (24, 15), (24, 20), (16, 28), (8, 22)]


def svg() -> str:
    """The favicon as SVG (sharp at any size)."""
    def points(shape):
        return " ".join(f"{x},{y}" for x, y in shape)
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
            f'<rect width="32" height="32" rx="6" fill="{BRAND}"/>'
            f'<polygon points="{points(UPPER)}" fill="{WHITE}"/>'
            f'<polygon points="{points(LOWER)}" fill="{WHITE}"/></svg>\n')


def ico(path: Path) -> None:
    """The favicon as ICO (16, 32 and 48 px), drawn large and scaled down."""
    scale = 8
    image = Image.new("RGBA", (32 * scale, 32 * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, 32 * scale - 1, 32 * scale - 1), radius=6 * scale, fill=BRAND)
    for shape in (UPPER, LOWER):
        draw.polygon([(x * scale, y * scale) for x, y in shape], fill=WHITE)
    image.save(path, sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    (STATIC / "favicon.svg").write_text(svg(), encoding="utf-8")
    ico(STATIC / "favicon.ico")
