"""Reading codings CSV files and drawing double-coding samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from coder.core.agreement import compute_agreement, draw_double_coding_sample, read_codings_csv
from coder.core.errors import InputError


def _write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "codings.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_reads_codes_empty_code_rows_and_duplicates(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "\ufeffUnit,Coder,Code,comment\n"
        "r1,A,COST,\n"
        "r1,A,COST,duplicate row\n"
        "r1,A,TRAVEL,\n"
        "r1,B,COST,\n"
        "r2,A,,coded with no code\n"
        "r2,B,TRAVEL,\n"
        "\n"
        "r3,A,COST,\n",
    )
    table = read_codings_csv(path)
    assert table.units == ("r1", "r2", "r3")
    assert table.coders == ("A", "B")
    assert table.codes == ("COST", "TRAVEL")
    assert table.coded.tolist() == [[True, True], [True, True], [True, False]]
    a = table.coders.index("A")
    assert table.applied[1, a].tolist() == [False, False]  # coded, no code: absent for all
    assert table.applied[0, a].tolist() == [True, True]
    assert compute_agreement(table).n_units == 2


def test_codeframe_order_keeps_unused_codes(tmp_path: Path) -> None:
    path = _write(tmp_path, "unit,coder,code\nr1,A,B2\nr1,B,B2\n")
    table = read_codings_csv(path, codes=["A1", "B2"])
    assert table.codes == ("A1", "B2")


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "unit,rater,code\nr1,A,X\n")
    with pytest.raises(InputError) as err:
        read_codings_csv(path)
    assert str(path) in str(err.value)
    assert "coder" in str(err.value)
    assert err.value.column == "coder"


def test_blank_coder_names_row_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "unit,coder,code\nr1,A,X\nr2, ,X\n")
    with pytest.raises(InputError) as err:
        read_codings_csv(path)
    assert (err.value.row, err.value.column) == (3, "coder")
    assert "row 3" in str(err.value)


def test_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "unit,coder,code\nr1,Zoë,X\n", encoding="latin-1")
    with pytest.raises(InputError, match="UTF-8"):
        read_codings_csv(path)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_codings_csv(tmp_path / "nope.csv")


def test_sample_is_seeded_shared_and_sized() -> None:
    answers = [f"a{i}" for i in range(152)]
    one = draw_double_coding_sample(answers, 0.2, ["A", "B"], seed=5)
    two = draw_double_coding_sample(answers, 0.2, ["A", "B"], seed=5)
    other = draw_double_coding_sample(answers, 0.2, ["A", "B"], seed=6)
    assert one == two
    assert one["A"] == one["B"]
    assert len(one["A"]) == 30  # round(0.2 * 152)
    assert len(set(one["A"])) == 30 and set(one["A"]) <= set(answers)
    assert one["A"] == sorted(one["A"], key=answers.index)
    assert one["A"] != other["A"]


def test_sample_is_roughly_uniform() -> None:
    answers = list(range(50))
    hits = np.zeros(50)
    for seed in range(400):
        hits[draw_double_coding_sample(answers, 0.2, ["A"], seed=seed)["A"]] += 1
    # Each answer is drawn with probability 0.2: 80 of 400 draws, sd ~ 8.
    assert hits.min() > 50 and hits.max() < 110


@pytest.mark.parametrize(
    ("share", "coders", "answers"),
    [
        (0, ["A"], [1, 2]),
        (1.5, ["A"], [1, 2]),
        (0.5, [], [1, 2]),
        (0.5, ["A", "A"], [1, 2]),
        (0.5, ["A"], [1, 1]),
    ],
)
def test_sample_rejects_bad_arguments(share: float, coders: list[str], answers: list[int]) -> None:
    with pytest.raises(ValueError):
        draw_double_coding_sample(answers, share, coders, seed=1)


def test_small_share_of_a_few_answers_still_samples_one() -> None:
    assert draw_double_coding_sample([1, 2, 3], 0.1, ["A", "B"], seed=0)["A"] != []
