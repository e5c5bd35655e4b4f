"""Codes keep their app keys through every exchange format: CSV and XLSX codebooks, REFI-QDA
codebooks (.qdc) and projects (.qdpx), and the codebook and quote bank of data exports."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from test_refi import FRAME_YAML, XSD, needs_xsd, project_args, qde_of
from test_report_project import QUESTION, build_project

from coder.core.codeframe.codebook_tables import (
    read_codebook_csv,
    read_codebook_xlsx,
    write_codebook_csv,
    write_codebook_xlsx,
)
from coder.core.codeframe.model import Codeframe, CodeframeError
from coder.core.codeframe.refi_codebook import parse_qdc, read_qdc, write_qdc
from coder.core.codeframe.refi_export import write_qdpx
from coder.core.codeframe.yaml_file import parse_codeframe_yaml
from coder.services.exports import export_data, export_quote_bank
from coder.store import open_project

#: Keys that do not follow the frame's order (as after codes were added and removed).
KEYS = {101: "7", 102: "1", 211: "Q", 900: "3"}


@pytest.fixture
def keyed() -> Codeframe:
    frame = parse_codeframe_yaml(FRAME_YAML)
    return replace(frame, codes=tuple(replace(c, shortcut=KEYS.get(c.output_code))
                                      for c in frame.codes))


def _keys(frame: Codeframe) -> dict[int, str | None]:
    return {c.output_code: c.shortcut for c in frame.codes}


def test_csv_codebook_round_trips_keys(keyed: Codeframe, tmp_path: Path) -> None:
    path = tmp_path / "frame.csv"
    write_codebook_csv(keyed, path)
    with path.open(encoding="utf-8-sig") as handle:
        rows = {r["code"]: r for r in csv.DictReader(handle)}
    assert rows["101"]["key"] == "7" and rows["100"]["key"] == ""
    assert _keys(read_codebook_csv(path)) == _keys(keyed)


def test_xlsx_codebook_round_trips_keys(keyed: Codeframe, tmp_path: Path) -> None:
    path = tmp_path / "frame.xlsx"
    write_codebook_xlsx(keyed, path)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert "key" in header
    assert _keys(read_codebook_xlsx(path)) == _keys(keyed)


def test_a_bad_key_in_a_codebook_names_the_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "frame.csv"
    path.write_text("code,label,key\n1,Fees,1\n2,Places,%\n", encoding="utf-8")
    with pytest.raises(CodeframeError) as caught:
        read_codebook_csv(path)
    assert 'line 3, field "key"' in str(caught.value) and '"%"' in str(caught.value)


def test_qdc_round_trips_keys(keyed: Codeframe, tmp_path: Path) -> None:
    path = tmp_path / "frame.qdc"
    write_qdc(keyed, path)
    assert "Key: 7" in path.read_text(encoding="utf-8")
    assert _keys(read_qdc(path)) == _keys(keyed)


@needs_xsd
def test_qdpx_carries_keys_and_stays_valid(keyed: Codeframe, tmp_path: Path) -> None:
    path = tmp_path / "survey.qdpx"
    write_qdpx(path, **project_args(keyed))  # type: ignore[arg-type]
    doc = qde_of(path)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(doc), schema.error_log
    again = parse_qdc(etree.tostring(doc), source="survey.qde")
    assert {c.label: c.shortcut for c in again.codes if c.shortcut} == {
        c.label: c.shortcut for c in keyed.codes if c.shortcut}


def test_a_key_given_twice_in_a_qdc_is_kept_by_the_first_code_only() -> None:
    def code(guid: str, name: str) -> str:
        return (f'<Code guid="{guid}" name="{name}" isCodable="true">'
                "<Description>Key: 4</Description></Code>")

    data = ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
            + code("11111111-1111-4111-8111-111111111111", "Fees")
            + code("22222222-2222-4222-8222-222222222222", "Places")
            + "</Codes></CodeBook>").encode()
    frame = parse_qdc(data, source="two.qdc")
    assert [(c.label, c.shortcut) for c in frame.codes] == [("Fees", "4"), ("Places", None)]


def test_data_export_codebook_and_quote_bank_list_keys(tmp_path: Path) -> None:
    project = build_project(tmp_path)
    with open_project(project) as store:
        keys = {c.output_code: c.shortcut or "" for c in store.codeframe_for(QUESTION).codes}
        files = export_data(store, "csv", tmp_path / "codes.csv").files
        bank = export_quote_bank(store, tmp_path / "bank.csv")
    assert keys[101] and keys[201]  # the codes have keys to carry
    with files[1].open(encoding="utf-8-sig") as handle:
        book = {r["variable"]: r for r in csv.DictReader(handle)}
    assert book[f"{QUESTION}_c101"]["key"] == keys[101]
    assert book[f"{QUESTION}_c201"]["key"] == keys[201]
    assert book[f"{QUESTION}_c100"]["key"] == ""  # a net has no key
    with bank.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(r["key"] == keys[int(r["output_code"])] for r in rows)
