"""Inter-coder agreement: the public entry point; pure numpy logic, no UI, CLI library or SQL.

Typical use::

    table = read_codings_csv("codings.csv")            # or CodingTable.from_records(...)
    report = compute_agreement(table, n_bootstrap=1000, seed=1)
    to_json_dict(report)                               # {"codes": ..., "overall": ...}
    report.poor_codes()                                # codes with alpha < .667

The statistics live in ``agreement_stats`` (per code and overall, bootstrap),
``agreement_metrics`` (generic coefficients on units x coders matrices),
``agreement_sets`` (alpha on code sets with MASI / Jaccard distances) and
``agreement_single`` (overall coefficients across categories for single-code questions).
"""

from __future__ import annotations

from coder.core.agreement.io import draw_double_coding_sample, read_codings_csv
from coder.core.agreement.metrics import (
    Statistic,
    bennett_s,
    brennan_prediger,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac2,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from coder.core.agreement.output import row_columns, to_json_dict, to_rows
from coder.core.agreement.sets import alpha_on_sets, set_distance
from coder.core.agreement.single import NO_CODE, is_single_code, single_code_agreement
from coder.core.agreement.stats import (
    agreement_by_question,
    bootstrap_replicates,
    compute_agreement,
)
from coder.core.agreement.types import (
    AgreementReport,
    CodeAgreement,
    CodingRecord,
    CodingTable,
    Grade,
    PairAgreement,
    SingleCodeAgreement,
    grade,
    pair_key,
)

__all__ = [
    "AgreementReport",
    "CodeAgreement",
    "CodingRecord",
    "CodingTable",
    "Grade",
    "NO_CODE",
    "PairAgreement",
    "SingleCodeAgreement",
    "Statistic",
    "agreement_by_question",
    "alpha_on_sets",
    "bennett_s",
    "bootstrap_replicates",
    "brennan_prediger",
    "cohen_kappa",
    "compute_agreement",
    "conger_kappa",
    "draw_double_coding_sample",
    "fleiss_kappa",
    "grade",
    "gwet_ac1",
    "gwet_ac2",
    "is_single_code",
    "krippendorff_alpha",
    "pair_key",
    "percent_agreement",
    "read_codings_csv",
    "row_columns",
    "scott_pi",
    "set_distance",
    "single_code_agreement",
    "to_json_dict",
    "to_rows",
]
