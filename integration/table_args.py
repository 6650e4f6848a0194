"""The query arguments every sortable, paged table takes: sort, dir and page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from integration.refusals import Refusal


def sort_and_page(args: Mapping[str, str], sorts: Sequence[str], default_sort: str, refusal: type[Refusal],
                  max_page: int | None = None) -> tuple[str, bool, int]:
    """(sort, descending, page) from query arguments; ``refusal`` names an argument that is not understood."""
    sort = args.get("sort") or default_sort
    if sort not in sorts:
        raise refusal(f"sort must be one of {', '.join(sorts)}, not {sort!r}.")
    direction = args.get("dir") or "asc"
    if direction not in ("asc", "desc"):
        raise refusal(f"dir must be asc or desc, not {direction!r}.")
    page = args.get("page") or "1"
    if not page.isdigit() or int(page) < 1 or (max_page is not None and int(page) > max_page):
        raise refusal(f"page must be a whole number from 1, not {page!r}.")
    return sort, direction == "desc", int(page)
