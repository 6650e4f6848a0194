"""Gapline's command line: ``flask --app app coi ...`` for certificates and compliance."""

from __future__ import annotations

import click


@click.group("coi")
def coi() -> None:
    """Certificates of insurance: read them and check them."""


def attach_commands() -> None:
    """Attach the engine's and the reader's commands to the ``coi`` group (when those packages exist)."""
    import importlib

    for module_name, attr in (
        ("integration.compliance.cli", "evaluate_command"),
        ("integration.extraction.cli", "extract_command"),
    ):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue
            raise
        coi.add_command(getattr(module, attr))


attach_commands()
