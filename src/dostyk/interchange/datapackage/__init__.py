"""The Dostyk data package: a customs administration's history as a Frictionless Data Package.

A folder holds ``datapackage.json`` (with a Table Schema per table) and one CSV or Parquet file
per table. ``import_package`` loads one atomically; ``export_package`` writes one.
"""

from dostyk.interchange.datapackage.errors import ExportRefused, PackageError, PackageRejected
from dostyk.interchange.datapackage.exporter import export_package
from dostyk.interchange.datapackage.importer import ImportReport, import_package

__all__ = [
    "ExportRefused",
    "ImportReport",
    "PackageError",
    "PackageRejected",
    "export_package",
    "import_package",
]
