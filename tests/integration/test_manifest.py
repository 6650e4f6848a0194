"""The Marketplace manifest is generated from configuration, in schema 4.1's shape."""

from __future__ import annotations

import json

from integration.manifest import build_manifest
from tests.conftest import make_settings


def test_manifest_shape_and_urls_follow_public_base_url():
    manifest = build_manifest(make_settings(public_base_url="https://gapline.example"))
    assert manifest["schema_version"] == "4.1"
    assert manifest["fullscreen"]["source_url"] == (
        "https://gapline.example/procore/companies/{{procore.company.id}}/projects/{{procore.project.id}}"
    )
    assert manifest["sidepanel"]["views"] == ["project_directory.vendors.edit"]
    assert manifest["sidepanel"]["source_url"].startswith("https://gapline.example/procore/sidepanel?")
    assert set(manifest["permissions"]) == {"company", "project"}
    assert "admin" not in json.dumps(manifest["permissions"])


def test_component_uuids_are_stable_and_distinct():
    settings = make_settings(public_base_url="https://gapline.example")
    first, again = build_manifest(settings), build_manifest(settings)
    assert first["fullscreen"]["uuid"] == again["fullscreen"]["uuid"]
    assert first["fullscreen"]["uuid"] != first["sidepanel"]["uuid"]
    other = build_manifest(make_settings(public_base_url="https://other.example"))
    assert other["fullscreen"]["uuid"] != first["fullscreen"]["uuid"]


def test_cli_prints_the_manifest(app):
    result = app.test_cli_runner().invoke(args=["procore", "manifest"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["schema_version"] == "4.1"
