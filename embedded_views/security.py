"""Response headers: framed only by Procore, scripts only from Gapline, never sniffed, HTTPS-only in production."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, current_app

PROCORE_FRAME_ANCESTORS = ("https://app.procore.com", "https://*.procore.com")


# The web origins Procore's UI is served from (the side panel's postMessage partners).
PROCORE_UI_ORIGINS = ("https://app.procore.com", "https://us02.procore.com", "https://uk01.procore.com",
                      "https://sandbox.procore.com")


def _configured_origins() -> list[str]:
    """The configured Procore host when it is not Procore's own (the sandbox emulator in the demo)."""
    settings = current_app.config["GAPLINE"]
    extra = []
    for base in (settings.procore_login_base, settings.procore_api_base):
        parts = urlsplit(base)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.netloc and origin not in extra and not parts.netloc.endswith("procore.com"):
            extra.append(origin)
    return extra


def frame_ancestors() -> str:
    """Procore's hosts, plus the configured Procore host (the sandbox emulator in the demo)."""
    return " ".join((*PROCORE_FRAME_ANCESTORS, *_configured_origins()))


def procore_origins() -> list[str]:
    """Exact origins whose messages the side panel accepts."""
    return [*PROCORE_UI_ORIGINS, *_configured_origins()]


HSTS = "max-age=31536000; includeSubDomains"


def content_security_policy() -> str:
    """Only Procore may frame Gapline; scripts load only from Gapline's own origin (no inline script)."""
    return (f"frame-ancestors {frame_ancestors()}; script-src 'self'; object-src 'none'; base-uri 'self'; "
            "form-action 'self'")


def security_headers() -> tuple[tuple[str, str], ...]:
    """The headers every response of this app carries, worked out once per app (they follow its settings only)."""
    settings = current_app.config["GAPLINE"]
    found = current_app.extensions.get("security_headers")
    if found is None or found[0] is not settings:
        headers = (("Content-Security-Policy", content_security_policy()), ("X-Content-Type-Options", "nosniff"),
                   ("Referrer-Policy", "strict-origin-when-cross-origin"))
        if settings.production:
            headers += (("Strict-Transport-Security", HSTS),)
        found = current_app.extensions["security_headers"] = (settings, headers)
    return found[1]


def apply_security_headers(response: Response) -> Response:
    """Set the CSP, nosniff and a strict referrer policy on every response, and HSTS in production."""
    for name, value in security_headers():
        response.headers[name] = value
    return response
