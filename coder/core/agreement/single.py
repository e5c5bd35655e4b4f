"""Agreement across categories for single-code questions (one code per answer); numpy only.

When every coder gives each answer at most one code, each coding is one category (the code, or
"no code" for an answer coded with none) and the classic overall coefficients apply: nominal
alpha, Gwet's AC1, Fleiss', Conger's and, for two coders, Cohen's kappa. They come from
`coder.core.agreement.metrics`, checked there against published values.
"""

from __future__ import annotations

import numpy as np

from coder.core.agreement.metrics import (
    TOO_FEW_UNITS,
    Statistic,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
)
from coder.core.agreement.types import CodingTable, SingleCodeAgreement

#: The category of an answer a coder coded with no code.
NO_CODE = "(no code)"


def is_single_code(table: CodingTable) -> bool:
    """True when no coder applied two or more codes to one answer."""
    return not bool((table.applied.sum(axis=2) > 1).any())


def single_code_agreement(table: CodingTable) -> SingleCodeAgreement | None:
    """Overall coefficients across categories, or None if the question is not single-code.

    Only answers coded by 2 or more coders count (as in `compute_agreement`; irrCAC would also
    let answers rated once set the chance term of AC1 and the kappas). Coders who coded none of
    those answers are left out, so "two coders" means two who double-coded.
    """
    if not is_single_code(table):
        return None
    keep = table.coded.sum(axis=1) >= 2
    coded = table.coded[keep]
    applied = table.applied[keep]
    active = coded.any(axis=0)
    coded, applied = coded[:, active], applied[:, active]
    codes = np.asarray([*table.codes, NO_CODE], dtype=object)
    category = np.where(applied.any(axis=2), applied.argmax(axis=2), len(table.codes))
    ratings = [[codes[k] if rated else None for k, rated in zip(row_k, row_rated, strict=True)]
               for row_k, row_rated in zip(category.tolist(), coded.tolist(), strict=True)]
    used = tuple(str(c) for c in codes if any(c in row for row in ratings))
    n_units = len(ratings)
    two = int(active.sum()) == 2
    if n_units < 2:
        few = Statistic.undefined(TOO_FEW_UNITS)
        return SingleCodeAgreement(n_units, used, few, few, few, few, few if two else None)
    return SingleCodeAgreement(
        n_units=n_units,
        categories=used,
        alpha_nominal=krippendorff_alpha(ratings, "nominal"),
        ac1=gwet_ac1(ratings),
        kappa_fleiss=fleiss_kappa(ratings),
        kappa_conger=conger_kappa(ratings),
        kappa_cohen=cohen_kappa(ratings) if two else None,
    )
