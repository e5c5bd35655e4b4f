"""Agreement reports as JSON-ready dicts and flat rows for CSV or a table; no I/O, no UI.

JSON shape (the ``coder agreement --format json`` contract)::

    {"codes": {CODE: {"alpha", "ac1", "percent_agreement", "n_units",
                      "kappa_pairs": {"A|B": ...}}},
     "overall": {"alpha_masi", "alpha_pooled"}}

For a single-code question (every coder gave each answer at most one code) ``overall`` also has
``alpha_nominal``, ``ac1``, ``kappa_fleiss``, ``kappa_conger`` and, with exactly two coders,
``kappa_cohen``: the coefficients across categories ("no code" being one category).

An undefined figure is ``null`` and the object holding it gets a ``"reason"`` mapping the
field (``"kappa_pairs.A|B"`` for a pair) to why it is undefined.
"""

from __future__ import annotations

from typing import Any

from coder.core.agreement.types import AgreementReport, Statistic, grade

__all__ = ["row_columns", "to_json_dict", "to_rows"]


def _put(target: dict[str, Any], reasons: dict[str, str], name: str, stat: Statistic) -> None:
    target[name] = stat.value
    if stat.value is None:
        reasons[name] = stat.reason or "undefined"


def _ci(stat: Statistic) -> list[float] | None:
    return None if stat.ci_low is None else [stat.ci_low, stat.ci_high]  # type: ignore[list-item]


def to_json_dict(report: AgreementReport, *, extended: bool = False) -> dict[str, Any]:
    """The report as a JSON-serialisable dict.

    Args:
        report: The agreement report.
        extended: Also include prevalence, grades, 95% intervals, the mean per-code alpha,
            counts and per-pair figures. Without it the dict has exactly the documented shape
            (plus "reason" where a figure is null).
    """
    codes: dict[str, Any] = {}
    for name, ca in report.codes.items():
        entry: dict[str, Any] = {}
        reasons: dict[str, str] = {}
        _put(entry, reasons, "alpha", ca.alpha)
        _put(entry, reasons, "ac1", ca.ac1)
        _put(entry, reasons, "percent_agreement", ca.percent_agreement)
        entry["n_units"] = ca.n_units
        entry["kappa_pairs"] = {}
        for pair, stat in ca.kappa_pairs.items():
            entry["kappa_pairs"][pair] = stat.value
            if stat.value is None:
                reasons[f"kappa_pairs.{pair}"] = stat.reason or "undefined"
        if extended:
            entry["prevalence"] = ca.prevalence
            entry["grade"] = ca.grade
            entry["ci"] = {
                "alpha": _ci(ca.alpha),
                "ac1": _ci(ca.ac1),
                "percent_agreement": _ci(ca.percent_agreement),
            }
        if reasons:
            entry["reason"] = reasons
        codes[name] = entry
    overall: dict[str, Any] = {}
    reasons = {}
    _put(overall, reasons, "alpha_masi", report.alpha_masi)
    _put(overall, reasons, "alpha_pooled", report.alpha_pooled)
    single = report.single_code
    if single is not None:
        for name, stat in single.statistics().items():
            _put(overall, reasons, name, stat)
    if extended:
        _put(overall, reasons, "alpha_mean", report.alpha_mean)
        overall["ci"] = {
            "alpha_masi": _ci(report.alpha_masi),
            "alpha_pooled": _ci(report.alpha_pooled),
            "alpha_mean": _ci(report.alpha_mean),
        }
        overall["n_answers"] = report.n_answers
        overall["n_units"] = report.n_units
        overall["coders"] = list(report.coders)
        overall["n_bootstrap"] = report.n_bootstrap
        overall["seed"] = report.seed
        if single is not None:
            overall["single_code"] = {"n_units": single.n_units,
                                      "categories": list(single.categories)}
        overall["pairs"] = {
            key: {
                "n_units": p.n_units,
                "alpha_masi": p.alpha_masi.value,
                "alpha_pooled": p.alpha_pooled.value,
            }
            for key, p in report.pairs.items()
        }
    if reasons:
        overall["reason"] = reasons
    return {"codes": codes, "overall": overall}


def row_columns(report: AgreementReport) -> list[str]:
    """Column names of :func:`to_rows`, one kappa column per coder pair."""
    return [
        "scope",
        "code",
        "n_units",
        "prevalence",
        "alpha",
        "alpha_ci_low",
        "alpha_ci_high",
        "grade",
        "ac1",
        "ac1_ci_low",
        "ac1_ci_high",
        "percent_agreement",
        *(f"kappa {pair}" for pair in report.pairs),
        "reason",
    ]


def _reason(parts: dict[str, Statistic]) -> str:
    return "; ".join(f"{k}: {s.reason}" for k, s in parts.items() if not s.defined)


def to_rows(report: AgreementReport) -> list[dict[str, Any]]:
    """One row per code, then overall and per-pair rows, keyed by :func:`row_columns`.

    Overall rows have scope "overall" and name the statistic in "code" (alpha_masi,
    alpha_pooled, alpha_mean; for a single-code question also alpha_nominal, ac1,
    kappa_fleiss, kappa_conger and kappa_cohen) with its value in "alpha"; pair rows have
    scope "pair A|B". Grades are Krippendorff's, so only alpha rows have one.
    Numbers are unrounded floats; None where undefined (the reason says why).
    """
    columns = row_columns(report)
    rows: list[dict[str, Any]] = []
    for name, ca in report.codes.items():
        row = dict.fromkeys(columns)
        row.update(
            scope="code",
            code=name,
            n_units=ca.n_units,
            prevalence=ca.prevalence,
            alpha=ca.alpha.value,
            alpha_ci_low=ca.alpha.ci_low,
            alpha_ci_high=ca.alpha.ci_high,
            grade=ca.grade,
            ac1=ca.ac1.value,
            ac1_ci_low=ca.ac1.ci_low,
            ac1_ci_high=ca.ac1.ci_high,
            percent_agreement=ca.percent_agreement.value,
        )
        for pair, stat in ca.kappa_pairs.items():
            row[f"kappa {pair}"] = stat.value
        row["reason"] = _reason(
            {"alpha": ca.alpha, "ac1": ca.ac1, "percent_agreement": ca.percent_agreement}
            | {f"kappa {p}": s for p, s in ca.kappa_pairs.items()}
        )
        rows.append(row)
    overall = {
        "alpha_masi": report.alpha_masi,
        "alpha_pooled": report.alpha_pooled,
        "alpha_mean": report.alpha_mean,
    }
    scoped = [("overall", name, report.n_units, stat) for name, stat in overall.items()]
    if report.single_code is not None:
        scoped += [("overall", name, report.single_code.n_units, stat)
                   for name, stat in report.single_code.statistics().items()]
    for key, by_pair in report.pairs.items():
        scoped.append((f"pair {key}", "alpha_masi", by_pair.n_units, by_pair.alpha_masi))
        scoped.append((f"pair {key}", "alpha_pooled", by_pair.n_units, by_pair.alpha_pooled))
    for scope, name, n_units, stat in scoped:
        row = dict.fromkeys(columns)
        row.update(
            scope=scope,
            code=name,
            n_units=n_units,
            alpha=stat.value,
            alpha_ci_low=stat.ci_low,
            alpha_ci_high=stat.ci_high,
            grade=grade(stat) if name.startswith("alpha") else None,
            reason=stat.reason or "",
        )
        rows.append(row)
    return rows
