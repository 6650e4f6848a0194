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


def apply_security_headers(response: Response) -> Response:
    """Set the CSP, nosniff and a strict referrer policy on every response, and HSTS in production."""
    response.headers["Content-Security-Policy"] = content_security_policy()
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if current_app.config["GAPLINE"].production:
        response.headers["Strict-Transport-Security"] = HSTS
    return response
