"""Extraction of live-form and flattened certificates against the generator's ground truth."""

from __future__ import annotations

import json

import pytest

from fixtures.certgen import generate, write
from integration.extraction import extract
from integration.extraction.scoring import score

SEEDS = range(1, 7)
_IGNORED = {"file", "fields", "confidence", "needs_review"}


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    """Six fillable (flat and wrapped names) and six flattened certificates, some with endorsement pages."""
    outdir = tmp_path_factory.mktemp("certs")
    made = []
    for seed in SEEDS:
        naming = "flat" if seed % 2 else "wrapped"
        made.append(("fillable", write(outdir, seed, "fillable", naming=naming, endorsements=seed % 3)))
        made.append(("flattened", write(outdir, seed, "flattened", endorsements=seed % 4)))
    return made


def _truth(path):
    return json.loads(path.with_name(path.name + ".truth.json").read_text())


def _without(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k not in _IGNORED}


def test_fillable_reads_every_value_exactly(documents):
    for variant, path in documents:
        if variant == "fillable":
            got = extract(path).to_dict()
            assert _without(got) == _without(_truth(path)), path.name
            assert got["method"] == "acroform" and got["confidence"] == 1.0 and got["needs_review"] is False


def test_flattened_reads_the_compliance_fields_exactly(documents):
    for variant, path in documents:
        if variant == "flattened":
            got = extract(path).to_dict()
            result = score(got, _truth(path))
            assert result.flagged == result.silent == [], path.name
            assert got["method"] == "text" and got["needs_review"] is False and got["confidence"] >= 0.85


def test_flattened_reads_the_rest_too(documents):
    for variant, path in documents:
        if variant == "flattened":
            assert _without(extract(path).to_dict()) == _without(_truth(path)), path.name


def test_endorsement_pages_are_recorded_with_their_page(documents):
    for _, path in documents:
        assert extract(path).to_dict()["endorsements"] == _truth(path)["endorsements"]


def test_bytes_in_give_the_same_answer_as_a_path():
    made = generate(9, "flattened")
    got = extract(made.data, "upload.pdf").to_dict()
    assert got["file"] == "upload.pdf"
    assert _without(got) == _without(made.truth)


def test_every_confident_value_has_provenance(documents):
    got = extract(documents[0][1]).to_dict()
    assert got["fields"]["named_insured.name"] == {"confidence": 1.0, "page": 1}
    assert "policies.0.effective_date" in got["fields"]


@pytest.mark.parametrize("naming", ["flat", "wrapped"])
def test_values_held_only_in_the_xfa_datasets_are_read(naming):
    made = generate(21, "fillable", naming=naming, xfa_only=True)
    got = extract(made.data, "xfa.pdf").to_dict()
    assert got["method"] == "acroform"
    assert _without(got) == _without(made.truth)


@pytest.mark.parametrize("seed", [31, 32])
def test_a_shifted_flattened_layout_still_reads_through_its_labels(seed):
    made = generate(seed, "flattened", shifted=True)
    assert _without(extract(made.data, "shifted.pdf").to_dict()) == _without(made.truth)
