"""The certificate generator: seeded, three variants, real field names, truth in the contract's shape."""

from __future__ import annotations

import io
import json

import pdfplumber
import pytest
from pypdf import PdfReader

from fixtures.certgen import generate, layout
from fixtures.certgen.__main__ import main
from fixtures.certgen.marks import Ink
from fixtures.certgen.render import draw_form, new_canvas
from integration.extraction import fields
from integration.extraction.anchors import ANCHORS

CONTRACT_KEYS = {"file", "ok", "error", "method", "edition", "confidence", "needs_review", "issued_on", "producer",
                 "named_insured", "insurers", "certificate_holder", "description_of_operations", "policies",
                 "endorsements", "fields"}


def _blank_words(edition: str = "2016/03") -> list[dict]:
    buf = io.BytesIO()
    c = new_canvas(buf)
    draw_form(Ink(c, outlined=False), edition)
    c.showPage()
    c.save()
    with pdfplumber.open(io.BytesIO(buf.getvalue())) as pdf:
        return pdf.pages[0].extract_words()


@pytest.mark.parametrize("variant", ["fillable", "flattened", "scanned"])
def test_same_seed_gives_same_bytes_and_different_seeds_differ(variant):
    first, again, other = generate(11, variant), generate(11, variant), generate(12, variant)
    assert first.data == again.data and first.truth == again.truth
    assert first.truth != other.truth


def test_truth_has_exactly_the_contract_keys():
    truth = generate(5, "flattened", endorsements=2).truth
    assert set(truth) == CONTRACT_KEYS
    assert truth["method"] == "text" and truth["policies"]
    assert [e["page"] for e in truth["endorsements"]] == [2, 3]


def test_fillable_flat_names_are_the_real_leaf_names_with_the_hidden_edition():
    reader = PdfReader(io.BytesIO(generate(1, "fillable", naming="flat").data))
    names = set(reader.get_fields())
    assert {"Form_CompletionDate_A", "NamedInsured_FullName_A", "Policy_GeneralLiability_EffectiveDate_A"} <= names
    assert reader.get_fields()["Form_EditionIdentifier_A"]["/V"] == "ACORD 0025 2016-03"


def test_fillable_wrapped_names_sit_under_f0_p1():
    names = set(PdfReader(io.BytesIO(generate(1, "fillable", naming="wrapped").data)).get_fields())
    assert "F[0].P1[0].Producer_FullName_A[0]" in names
    assert "Producer_FullName_A" not in names


def test_flattened_has_text_but_no_fields():
    made = generate(2, "flattened")
    assert PdfReader(io.BytesIO(made.data)).get_fields() is None
    with pdfplumber.open(io.BytesIO(made.data)) as pdf:
        assert made.truth["named_insured"]["name"].split()[0] in pdf.pages[0].extract_text()


@pytest.mark.parametrize(("image_format", "magic"), [("jpeg", b"\xff\xd8\xff"), ("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_scanned_is_image_only(image_format, magic):
    made = generate(3, "scanned", image_format=image_format, dpi=100)
    assert made.data.startswith(magic)
    if image_format == "pdf":
        with pdfplumber.open(io.BytesIO(made.data)) as pdf:
            assert pdf.pages[0].extract_words() == []


def test_unknown_variant_is_refused():
    with pytest.raises(ValueError, match="variant"):
        generate(1, "photocopied")


def test_generator_and_reader_share_the_field_grid():
    assert layout.TEXT_FIELDS == fields.TEXT_FIELDS
    assert layout.CHECKBOXES == fields.CHECKBOXES


def test_no_printed_label_falls_inside_a_field_box():
    boxes = [(x0, layout.PAGE_HEIGHT - y1, x1, layout.PAGE_HEIGHT - y0) for x0, y0, x1, y1 in
             [*layout.TEXT_FIELDS.values(), *layout.CHECKBOXES.values()] if x1 - x0 > 1]
    inside = [w["text"] for w in _blank_words()
              if any(b[0] <= (w["x0"] + w["x1"]) / 2 <= b[2] and b[1] <= (w["top"] + w["bottom"]) / 2 <= b[3]
                     for b in boxes)]
    assert inside == []


@pytest.mark.parametrize("edition", ["2016/03", "2014/01", "2010/05"])
def test_reader_anchors_match_the_drawn_labels(edition):
    words = _blank_words(edition)
    drawn = {w["text"]: (w["x0"], (w["top"] + w["bottom"]) / 2) for w in words}
    matched = [text for text, x, y in ANCHORS
               if sum(w["text"] == text for w in words) == 1
               and abs(drawn[text][0] - x) < 0.75 and abs(drawn[text][1] - y) < 0.3]
    # Every anchor on the edition they were measured on; older editions move a few labels of the auto row.
    assert len(matched) == len(ANCHORS) if edition == "2016/03" else len(matched) >= len(ANCHORS) - 3


def test_command_line_writes_files_and_truth(tmp_path, capsys):
    assert main([str(tmp_path), "--count", "2", "--variant", "flattened", "--seed", "40", "--endorsements", "1"]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["coi_flattened_00040.pdf", "coi_flattened_00040.pdf.truth.json",
                       "coi_flattened_00041.pdf", "coi_flattened_00041.pdf.truth.json"]
    truth = json.loads((tmp_path / "coi_flattened_00040.pdf.truth.json").read_text())
    assert truth["file"].endswith("coi_flattened_00040.pdf") and len(truth["endorsements"]) == 1
    assert capsys.readouterr().out.count("\n") == 2
