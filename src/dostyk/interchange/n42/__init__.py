"""ANSI N42.42-2011 radiation instrument data: reading, writing and schema validation."""

from dostyk.interchange.n42.errors import N42Error
from dostyk.interchange.n42.reading import N42Document, read_n42, read_n42_bytes
from dostyk.interchange.n42.schema import configured_schema, validate
from dostyk.interchange.n42.writing import ExportRefused, n42_document, write_n42

__all__ = [
    "ExportRefused",
    "N42Document",
    "N42Error",
    "configured_schema",
    "n42_document",
    "read_n42",
    "read_n42_bytes",
    "validate",
    "write_n42",
]
