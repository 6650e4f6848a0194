"""A Procore sandbox emulator served over HTTP for the sync tests, and what they ask of it."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

import requests
from flask import Flask

from fixtures.procore_sandbox import create_sandbox_app, serve_in_thread
from tests.fixtures.sandbox_helpers import COMPANY_A

SYNC_ROUTE = "PATCH /rest/v1.0/companies/<int:company_id>/insurances/sync"


@dataclasses.dataclass
class Emulator:
    """A running emulator: its base URL, its app (to play a Procore user) and its request log."""

    app: Flask
    url: str

    @property
    def store(self):
        """The emulator's data."""
        from fixtures.procore_sandbox.runtime import EXTENSION_KEY

        return self.app.extensions[EXTENSION_KEY].store

    def records(self, company_id: int = COMPANY_A) -> list[dict[str, Any]]:
        """Every insurance record of the company, as Procore keeps it."""
        return self.store.company_insurances(company_id)

    def by_origin(self, company_id: int = COMPANY_A) -> Counter:
        """How many records carry each origin_id (a duplicate would count 2)."""
        return Counter(row.get("origin_id") for row in self.records(company_id))

    def record(self, origin_id: str, company_id: int = COMPANY_A) -> dict[str, Any]:
        """The one record with ``origin_id``."""
        found = [row for row in self.records(company_id) if row.get("origin_id") == origin_id]
        assert len(found) == 1, f"{len(found)} records carry origin_id {origin_id}"
        return found[0]

    def configure(self, **changes: Any) -> None:
        """Change runtime settings (fault rates, limits) over HTTP."""
        answer = requests.post(f"{self.url}/_emulator/config", json=changes, timeout=5)
        assert answer.status_code == 200, answer.text

    def calls(self, route: str = SYNC_ROUTE) -> int:
        """How many calls the emulator answered on ``route`` ("METHOD rule") since the last reset."""
        return requests.get(f"{self.url}/_emulator/requests", timeout=5).json()["counts_by_route"].get(route, 0)

    def statuses(self) -> dict[str, int]:
        """How many answers the emulator gave with each HTTP status since the last reset."""
        return requests.get(f"{self.url}/_emulator/requests", timeout=5).json()["counts_by_status"]

    def reset_log(self) -> None:
        """Forget the calls and rate windows so far (the data stays)."""
        requests.post(f"{self.url}/_emulator/reset", json={}, timeout=5)


def start_emulator(**config: Any) -> tuple[Emulator, Any]:
    """A new emulator on a free port (no rate limits unless asked); returns it and its stop function."""
    app = create_sandbox_app({"RATE_LIMIT_HOURLY": 0, "RATE_LIMIT_SPIKE": 0, **config})
    url, stop = serve_in_thread(app=app)
    return Emulator(app, url), stop


def point_at(application, emulator: Emulator, **settings: Any) -> None:
    """Make the Gapline app talk to ``emulator`` (its settings and token managers are per test)."""
    settings = {"public_base_url": "http://gapline.test", **settings}
    application.config["GAPLINE"] = dataclasses.replace(
        application.config["GAPLINE"], procore_api_base=emulator.url, procore_login_base=emulator.url, **settings)
    for key in ("procore_tokens", "procore_dmsa_tokens"):
        application.extensions.pop(key, None)
