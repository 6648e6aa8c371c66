"""Selectivity analytics: the learned risk model, its risk histories and their benchmarks.

This package is analytics: it may use :mod:`dostyk.domain`, never the entry points (``cli``,
``web``, ``simulate``). Its estimator follows the scikit-learn contract so that it can be cloned,
cross-validated and compared like any other; everything it learns is kept in attributes with a
trailing underscore and in the file that :meth:`RiskModel.save` writes.
"""

from __future__ import annotations

from dostyk.risk.histories import HistoryKey, KeyStatistics, RiskHistories
from dostyk.risk.model import RiskModel
from dostyk.risk.schema import FeatureSchema, SchemaMismatch

__all__ = [
    "FeatureSchema",
    "HistoryKey",
    "KeyStatistics",
    "RiskHistories",
    "RiskModel",
    "SchemaMismatch",
]
