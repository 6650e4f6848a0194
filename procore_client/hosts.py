"""Where Procore lives: the OAuth host and the REST API host of one environment."""

from __future__ import annotations

from dataclasses import dataclass

# (connect, read) seconds for every call to either host; no call to Procore goes without one.
DEFAULT_TIMEOUT = (5.0, 30.0)


@dataclass(frozen=True)
class ProcoreHosts:
    """The login (OAuth) and API base URLs of one Procore environment, without trailing slash."""

    login: str
    api: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "login", self.login.rstrip("/"))
        object.__setattr__(self, "api", self.api.rstrip("/"))

    @classmethod
    def production(cls) -> ProcoreHosts:
        """Return Procore production: login.procore.com and api.procore.com."""
        return cls(login="https://login.procore.com", api="https://api.procore.com")

    @classmethod
    def sandbox(cls) -> ProcoreHosts:
        """Return the Developer Sandbox: login-sandbox.procore.com and sandbox.procore.com."""
        return cls(login="https://login-sandbox.procore.com", api="https://sandbox.procore.com")

    @classmethod
    def single(cls, base_url: str) -> ProcoreHosts:
        """Return hosts that serve OAuth and the API from one base URL, as the emulator does."""
        return cls(login=base_url, api=base_url)

    @property
    def authorize_url(self) -> str:
        """The authorization-code grant's authorize endpoint."""
        return f"{self.login}/oauth/authorize"

    @property
    def token_url(self) -> str:
        """The token endpoint, shared by every grant."""
        return f"{self.login}/oauth/token"

    @property
    def revoke_url(self) -> str:
        """The revoke endpoint, which kills both tokens of a pair."""
        return f"{self.login}/oauth/revoke"
