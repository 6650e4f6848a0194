"""Procore list pages: the items, the Total and Per-Page headers, and the Link rel="next" URL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from .errors import ProcoreError


@dataclass(frozen=True)
class Page:
    """One page of a Procore list response."""

    items: list[dict[str, Any]]
    total: int | None
    per_page: int | None
    next_url: str | None

    @classmethod
    def from_response(cls, response: requests.Response) -> Page:
        """Read a page from a list response, following the `Link` header for the next one."""
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("data"), list):
            body = body["data"]  # REST v2 wraps lists in {"data": [...]}
        if not isinstance(body, list):
            raise ProcoreError(f"expected a JSON list from {response.url}, got {type(body).__name__}")
        return cls(items=body, total=_header_int(response, "Total"), per_page=_header_int(response, "Per-Page"),
                   next_url=response.links.get("next", {}).get("url"))


def _header_int(response: requests.Response, name: str) -> int | None:
    value = response.headers.get(name)
    return int(value) if value and value.isdigit() else None


class PageFetcher(Protocol):
    """Fetches one page, given either a path with params or the absolute `next` URL."""

    def __call__(self, url: str, params: dict[str, Any] | None) -> Page:
        """Return the page at `url`."""
        ...


class Paginated:
    """Iterates over every item of a Procore list, fetching pages lazily by following Link rel="next".

    `total` and `per_page` become known once the first page has been fetched.
    """

    def __init__(self, fetch: PageFetcher, url: str, params: dict[str, Any] | None) -> None:
        self._fetch = fetch
        self._url = url
        self._params = params
        self.total: int | None = None
        self.per_page: int | None = None

    def pages(self) -> Iterator[Page]:
        """Yield each page in turn."""
        url: str | None = self._url
        params = self._params
        while url is not None:
            page = self._fetch(url, params)
            self.total, self.per_page = page.total, page.per_page
            yield page
            url, params = page.next_url, None  # the next URL already carries the query

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for page in self.pages():
            yield from page.items

    def all(self) -> list[dict[str, Any]]:
        """Fetch every page and return all items as a list."""
        return list(self)
