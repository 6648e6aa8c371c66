"""The columnar warehouse: the operational store extracted to Parquet for the analytics.

One Parquet file per table under ``HOME/warehouse/``, kept up to date incrementally by reading the
ledger past the last entry extracted (:mod:`dostyk.warehouse.extract`), and opened as Ibis tables
on DuckDB or Spark (:mod:`dostyk.warehouse.backends`).
"""
