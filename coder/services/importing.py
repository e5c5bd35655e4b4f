"""Import a survey export into a project: read, plan (core), write in one transaction (store)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from coder.core.normalise import DEFAULT_NON_SUBSTANTIVE, NonSubstantiveRules
from coder.core.progress import NO_PROGRESS, Progress
from coder.core.survey.carry import (
    CARRIED_CODER,
    SUGGESTED_CODER,
    CodedAnswer,
    NewAnswer,
    plan_carry_forward,
)
from coder.core.survey.files import read_survey
from coder.core.survey.importing import plan_import
from coder.core.survey.types import ImportPlan, ImportResult
from coder.core.types import CoderKind
from coder.store.protocol import ProjectStore

DEFAULT_WAVE = "1"


def non_substantive_rules(store: ProjectStore) -> NonSubstantiveRules:
    """The project's non-substantive list (setting "non_substantive"), or the default list."""
    return NonSubstantiveRules.from_phrases(
        store.setting("non_substantive", DEFAULT_NON_SUBSTANTIVE)
    )


def import_survey(
    store: ProjectStore,
    path: str | Path,
    *,
    wave: str | None = None,
    id_column: str | None = None,
    open_columns: Sequence[str] | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    coder: str | None = None,
    progress: Progress = NO_PROGRESS,
) -> tuple[ImportPlan, ImportResult]:
    """Import `path` into the project; raises InputError (nothing written) on bad input.

    `encoding` forces the text encoding of a CSV or .sav file (default: detected); the plan's
    notes say how the file was read and what was cleaned.
    """
    table = read_survey(path, sheet=sheet, encoding=encoding)
    plan = plan_import(
        table, id_column=id_column, open_columns=open_columns, rules=non_substantive_rules(store)
    )
    digest = table.sha256 or hashlib.sha256(Path(path).read_bytes()).hexdigest()
    if wave is None:
        waves = store.waves()
        wave = waves[-1].name if waves else DEFAULT_WAVE
    result = store.apply_import(plan, wave=wave, coder=coder, file_sha256=digest,
                                progress=progress)
    return plan, result


@dataclass(frozen=True)
class CarryResult:
    """What carrying codes forward into a wave did.

    Attributes:
        wave: The wave carried into.
        answers: Answers that took codes from an earlier wave.
        coded: True when they were coded (coder `carried`), False when only suggested (model
            layer `carried-suggested`).
        coder: The coder the codes are attributed to.
        ambiguous: Answers left alone because their text was coded in several ways.
        retired: Answers left alone because an earlier code is no longer active.
    """

    wave: str
    answers: int
    coded: bool
    coder: str
    ambiguous: int = 0
    retired: int = 0


def carry_forward(store: ProjectStore, wave: str, *, code: bool, actor: str | None) -> CarryResult:
    """Give the wave's answers that nobody has coded the codes of identical answers coded in an
    earlier wave (see `coder.core.survey.carry`), as one undoable action of `actor`.

    With `code` the codes are codings of the human coder `carried` (counted in reports like any
    coder's); otherwise they are suggestions: codings of the model `carried-suggested`, which
    reports count only with `--layer model:carried-suggested`.

    Raises:
        ProjectError: No such wave.
    """
    wave_id = store.wave_id(wave)
    order = {w.id: i for i, w in enumerate(store.waves())}
    earlier = [w for w in order if order[w] < order[wave_id]]
    name = CARRIED_CODER if code else SUGGESTED_CODER
    suggesters = {c.id for c in store.coders() if c.name == SUGGESTED_CODER}
    plans = []
    for question in store.questions(open_only=True):
        if not question.codeframe_id or not earlier:
            continue
        frame = store.codeframe(question.codeframe_id)
        active = {c.id for _, c in frame.walk() if c.is_active and c.codable}
        coded_before = []
        for wid in earlier:
            settled = store.final_layer(question.id, wid)
            texts = {a.id: a.text for a in store.answers(question.id, wave_id=wid)}
            coded_before += [CodedAnswer(question.id, texts[aid], f.code_ids, order[wid])
                             for aid, f in settled.items()
                             if f.status != "unresolved" and aid in texts]
        if not coded_before:
            continue
        # Coded by someone already: left alone (suggestions do not count when coding).
        done = {aid for coder_id, ids in store.coded_answers(question.id).items()
                if not (code and coder_id in suggesters) for aid in ids}
        new = [NewAnswer(a.id, question.id, a.text)
               for a in store.answers(question.id, wave_id=wave_id, substantive_only=True)
               if a.id not in done]
        plans.append(plan_carry_forward(new, coded_before, active))
    carried = [c for p in plans for c in p.carried]
    ambiguous = sum(p.ambiguous for p in plans)
    retired = sum(p.retired for p in plans)
    if carried:
        coder = store.coder(name, kind=CoderKind.HUMAN if code else CoderKind.MODEL)
        verb = "coded" if code else "suggested"
        store.replace_codings(
            [(c.answer_id, coder.id, c.code_ids) for c in carried], actor,
            f"{verb} {len(carried)} answers of wave {wave} as identical answers of earlier waves",
            action="coding.carry", details={"wave": wave, "coder": name})
    return CarryResult(wave, len(carried), code, name, ambiguous, retired)
