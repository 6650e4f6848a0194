"""Every route of the app, enumerated from its URL map, so a new route is probed without anyone listing it."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

from tests.conftest import make_settings


@dataclass(frozen=True)
class Route:
    """One method of one URL rule."""

    endpoint: str
    rule: str
    method: str
    arguments: frozenset[str]

    @property
    def company_scoped(self) -> bool:
        """True when the URL names the Procore company it acts on."""
        return "company_id" in self.arguments

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"


def all_routes() -> list[Route]:
    """Each (rule, method) of a freshly built app, static files aside."""
    from app import create_app

    folder = tempfile.mkdtemp(prefix="gapline-routes-")
    app = create_app({"GAPLINE": make_settings(database_url=f"sqlite:///{folder}/routes.db")})
    return sorted((Route(rule.endpoint, rule.rule, method, frozenset(rule.arguments))
                   for rule in app.url_map.iter_rules() if rule.endpoint != "static"
                   for method in sorted(rule.methods - {"HEAD", "OPTIONS"})), key=str)


def pytest_generate_tests(metafunc):
    """Parametrize ``route`` (every route), ``company_route`` and ``post_route`` from the live URL map."""
    routes = all_routes()
    chosen = {"route": routes, "company_route": [r for r in routes if r.company_scoped],
              "post_route": [r for r in routes if r.method == "POST"]}
    for name, values in chosen.items():
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, values, ids=[str(route) for route in values])
