"""Code suggestions learned from what coders have coded: the estimator (`CodeSuggester`), how it
is measured (`metrics`), and how sure it must be to code on its own (`autocode`).

Pure computation (numpy, scikit-learn); no UI, CLI library or store.
"""

from coder.core.suggest.estimator import CodeSuggester, Suggestion
from coder.core.suggest.metrics import coverage_at_precision, evaluate

__all__ = ["CodeSuggester", "Suggestion", "coverage_at_precision", "evaluate"]
