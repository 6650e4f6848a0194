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
    uuids = {first[component]["uuid"] for component in ("fullscreen", "sidepanel", "widget")}
    assert len(uuids) == 3 and first["widget"]["uuid"] == again["widget"]["uuid"]
    other = build_manifest(make_settings(public_base_url="https://other.example"))
    assert other["fullscreen"]["uuid"] != first["fullscreen"]["uuid"]


def test_cli_prints_the_manifest(app):
    result = app.test_cli_runner().invoke(args=["procore", "manifest"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["schema_version"] == "4.1"


def test_the_widget_is_a_component_at_the_url_the_app_serves_and_the_emulator_frames(app):
    from fixtures.procore_sandbox.__main__ import app_urls

    manifest = build_manifest(make_settings(public_base_url="https://gapline.example"))
    widget = manifest["widget"]
    assert set(widget) == set(manifest["fullscreen"]) == {"uuid", "source_url", "description"}
    assert widget["source_url"] == "https://gapline.example/procore/widget"
    assert widget["source_url"] == app_urls("https://gapline.example")["APP_WIDGET_URL"]
    assert "Subcontractors" in widget["description"] and "COI upload" in widget["description"]
    served = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules()}
    assert served[widget["source_url"].removeprefix("https://gapline.example")] == "widget.index"
