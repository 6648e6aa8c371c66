"""Selectivity analytics: the learned risk model, its risk histories and their benchmarks.

This package is analytics: it may use :mod:`dostyk.domain`, never the entry points (``cli``,
``web``, ``simulate``). Its estimator follows the scikit-learn contract so that it can be cloned,
cross-validated and compared like any other; everything it learns is kept in attributes with a
trailing underscore and in the file that :meth:`RiskModel.save` writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: Where each name lives: imported on first use (PEP 562), so that importing the package — or
#: one light module of it — does not load LightGBM, scikit-learn and pandas.
_HOMES = {
    "FeatureSchema": "dostyk.risk.schema",
    "HistoryKey": "dostyk.risk.histories",
    "KeyStatistics": "dostyk.risk.histories",
    "RiskHistories": "dostyk.risk.histories",
    "RiskModel": "dostyk.risk.model",
    "SchemaMismatch": "dostyk.risk.schema",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
