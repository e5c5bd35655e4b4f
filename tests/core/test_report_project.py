"""A small hand-coded project for report and export tests, and the counts checked by hand.

12 local authorities; q2_barriers is asked only where placed_any = "Yes" (10 asked, 2 routed
past it). Of the 10 asked: 8 answered substantively, 1 "Don't know", 1 left blank; 1 of the 8 is
not yet coded. Codes (coder "alice"), worked out by hand from the table below:

  101 High fees            R01 R02 R08 R12        4/8 = 50%
  102 Transport costs      -                      0
  NET 100 Cost             R01 R02 R08 R12        4/8 = 50%
  201 Ill-equipped         R02 R09                2/8 = 25%
  202 Lack of training     R03 R09                2/8 = 25%
  NET 200 School capacity  R02 R03 R09            3/8 = 37.5% (R09 has both: counted once)
  301 Distance from home   R10 R12                2/8 = 25%
  401 Old code (retired)   R03                    never shown

By region (answered): South R01 R02 R12 = 3; North R03 R10 = 2; London R08 R09 R11 = 3.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from coder.core.codeframe.model import Code, Codeframe
from coder.core.types import CoderKind
from coder.services.importing import import_survey
from coder.store import SQLiteStore, create_project

ROWS = [
    # resp_id, authority_name, region, placed_any, q2_barriers, alice's codes
    ("R01", "Kent", "South", "Yes",
     "The fees in Kent are too high; contact jo.bloggs@kent.gov.uk for details", [101]),
    ("R02", "Surrey", "South", "Yes",
     "Schools are ill-equipped to support looked-after children and the fees are high",
     [101, 201]),
    ("R03", "Leeds", "North", "Yes",
     "Independent schools lack training in trauma and attachment", [202, 401]),
    ("R04", "Bradford", "North", "Yes", "Don't know", []),
    ("R05", "York", "North", "No", "", []),
    ("R06", "Wakefield", "North", "No", "", []),
    ("R07", "Camden", "London", "Yes", "", []),
    ("R08", "Hackney", "London", "Yes",
     "Call Mrs Smith on 020 7946 0000 about the cost of places", [101]),
    ("R09", "Islington", "London", "Yes",
     "Ill-equipped staff and no training for schools near SW1A 1AA", [201, 202]),
    ("R10", "Sheffield", "North", "Yes", "Distance from home is the main problem for us", [301]),
    ("R11", "Brent", "London", "Yes",
     "=HYPERLINK(\"http://evil.example\",\"click\") panels refuse to fund places", None),
    ("R12", "Devon", "South", "Yes",
     "Fees are prohibitive and distances long, see www.devon.gov.uk/fees", [101, 301]),
]
QUESTION = "q2_barriers"
FRAME_ID = "frame-barriers"


def _code(output: int, label: str, parent: int | None = None, **extra: object) -> Code:
    return Code(id=f"c{output}", codeframe_id=FRAME_ID, label=label, output_code=output,
                parent_id=f"c{parent}" if parent else None, position=output, **extra)


CODES = (
    _code(100, "Cost", codable=False),
    _code(101, "High fees", 100),
    _code(102, "Transport costs", 100),
    _code(200, "School capacity", codable=False),
    _code(201, "Ill-equipped for looked-after children", 200),
    _code(202, "Lack of training", 200),
    _code(301, "Distance from home"),
    _code(401, "Old code", status="retired"),
)


def write_csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["resp_id", "authority_name", "region", "placed_any", QUESTION])
        for row in ROWS:
            writer.writerow(row[:5])
    return path


def build_project(folder: Path, *, coders: tuple[str, ...] = ("alice",)) -> Path:
    """Create project.coder in `folder`, import the 12 rows and code them as in ROWS."""
    path = folder / "project.coder"
    store = create_project(path)
    try:
        import_survey(store, write_csv(folder / "survey.csv"), id_column="resp_id",
                      open_columns=[QUESTION], coder="test")
        store.add_codeframe(Codeframe(FRAME_ID, "Barriers", CODES), "test", questions=[QUESTION])
        by_external = {r.external_id: r.id for r in store.respondents()}
        answer_of = {a.respondent_id: a.id for a in store.answers(QUESTION)}
        for name in coders:
            coder = store.coder(name)
            for ext, *_rest, codes in ROWS:
                if codes is None or (name != "alice" and not codes):
                    continue
                if name != "alice":  # a second coder who always adds Distance from home
                    codes = [*codes, 301]
                store.set_codes(answer_of[by_external[ext]], coder, [f"c{c}" for c in codes])
    finally:
        store.close()
    return path


def answer_id(store: SQLiteStore, external: str) -> int:
    rid = next(r.id for r in store.respondents() if r.external_id == external)
    return next(a.id for a in store.answers(QUESTION) if a.respondent_id == rid)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return build_project(tmp_path)


def test_import_gives_the_routing_the_counts_rely_on(project: Path) -> None:
    from coder.store import open_project

    with open_project(project) as store:
        routing = store.question(QUESTION).routing
    assert routing is not None and routing.column == "placed_any" and routing.values == ("Yes",)


def test_bases_codes_and_nets_match_the_hand_count(project: Path) -> None:
    from coder.services.reports import build_report
    from coder.store import open_project

    with open_project(project) as store:
        report = build_report(store)
    table = report.sections[0].table
    assert (table.base.asked, table.base.answered, table.base.non_substantive,
            table.base.blank, table.base.uncoded) == (10, 8, 1, 1, 1)
    expected = {"c101": 4, "c102": 0, "c100": 4, "c201": 2, "c202": 2, "c200": 3, "c301": 2}
    assert {r.code_id: r.n for r in table.rows} == expected
    assert table.row("c200").pct == pytest.approx(37.5)
    assert table.row("c100").is_net and not table.row("c101").is_net
    with pytest.raises(KeyError):
        table.row("c401")
    # Sorted by n within siblings, nets above their codes: Cost (4), capacity (3), distance (2).
    assert [r.code_id for r in table.rows if r.depth == 0] == ["c100", "c200", "c301"]
    assert table.small_base  # 8 < 30


def test_breakdown_by_region_has_column_bases(project: Path) -> None:
    from coder.services.reports import build_report
    from coder.store import open_project

    with open_project(project) as store:
        table = build_report(store, by="region", min_base=3).sections[0].table
    columns = {c.value: c for c in table.columns}
    assert {v: c.base for v, c in columns.items()} == {"London": 3, "North": 2, "South": 3}
    assert columns["South"].counts.get("c100") == 3
    assert columns["London"].counts.get("c100") == 1
    assert columns["London"].pct("c100") == pytest.approx(100 / 3)
    assert columns["North"].counts.get("c200") == 1
    assert columns["London"].counts.get("c301", 0) == 0
    assert table.small_columns() == ["North"]


def test_breakdown_by_a_name_column_is_refused(project: Path) -> None:
    from coder.core.errors import ProjectError
    from coder.services.reports import build_report
    from coder.store import open_project

    with open_project(project) as store, pytest.raises(ProjectError, match="identify"):
        build_report(store, by="authority_name")


def test_layer_choice(tmp_path: Path) -> None:
    """Two coders, worked by hand: bob codes the 7 answers alice gave codes, adding 301 to each.

    Final layer: R10 {301} and R12 {101, 301} agree; R01 R02 R03 R08 R09 disagree (unresolved:
    in the base, no code); R04 "Don't know" only alice (single); R11 nobody (uncoded).
    """
    from coder.core.errors import ProjectError
    from coder.services.reports import build_report, resolve_layer
    from coder.store import open_project

    path = build_project(tmp_path, coders=("alice", "bob"))
    with open_project(path) as store:
        assert resolve_layer(store, None, [QUESTION]).name == "final"
        final = build_report(store).sections[0].table
        assert (final.base.answered, final.base.uncoded, final.base.unresolved,
                final.base.stale) == (8, 1, 5, 0)
        assert {r.code_id: r.n for r in final.rows if r.n} == {"c301": 2, "c101": 1, "c100": 1}
        bob = build_report(store, layer="coder:bob").sections[0].table
        assert bob.row("c301").n == 7  # bob adds 301 to each of the 7 answers he coded
        union = build_report(store, layer="all").sections[0].table
        assert union.row("c301").n == 7
        with pytest.raises(ProjectError, match="nothing has been adjudicated"):
            build_report(store, layer="adjudicated")

        store.adjudicate(answer_id(store, "R01"), ["c102"], "rev")
        final = build_report(store).sections[0].table
        assert final.base.unresolved == 4 and final.base.stale == 0
        assert final.row("c102").n == 1 and final.row("c101").n == 1  # R01 settled; R12 agreed
        only = build_report(store, layer="adjudicated").sections[0].table
        assert only.row("c102").n == 1 and only.row("c101").n == 0
        assert only.base.uncoded == 7

        # alice re-codes R01 after the adjudication: still counted as adjudicated, but stale.
        store.set_codes(answer_id(store, "R01"), store.coder("alice"), ["c101", "c301"])
        final = build_report(store).sections[0].table
        assert final.base.stale == 1 and final.row("c102").n == 1
        with pytest.raises(ProjectError, match="no coder"):
            resolve_layer(store, "coder:carol", [QUESTION])


def test_final_layer_only_model_codings_need_a_choice(tmp_path: Path) -> None:
    from coder.core.errors import ProjectError
    from coder.services.reports import resolve_layer
    from coder.store import open_project

    path = build_project(tmp_path, coders=())
    with open_project(path) as store:
        assert resolve_layer(store, None, [QUESTION]).name == "none"
        model = store.coder("suggester", kind=CoderKind.MODEL)
        store.set_codes(answer_id(store, "R01"), model, ["c101"])
        with pytest.raises(ProjectError, match="model:suggester"):
            resolve_layer(store, None, [QUESTION])
        assert resolve_layer(store, "model:suggester", [QUESTION]).coder_ids == (model.id,)
