"""What is wrong with a data package, and where."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class PackageError:
    """One problem, located by file, data row (1 = the first row after the header) and field."""

    file: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field is not None:
            where += f", field {self.field}"
        return f"{where}: {self.message}"


class PackageRejected(Exception):
    """The package was refused as a whole; nothing of it was written.

    ``more`` counts the problems found past the listing limit in the stage that stopped the
    import; later stages (references, cross-record rules) run only once earlier ones pass.
    """

    def __init__(self, errors: list[PackageError], more: int = 0) -> None:
        self.errors = errors
        self.more = more
        lines = [str(e) for e in errors]
        if more:
            lines.append(f"... and {more} more")
        super().__init__("\n".join(lines))


class ErrorLog:
    """Collects errors up to a limit, so one run reports many problems but never floods."""

    def __init__(self, limit: int = 100) -> None:
        self.limit = limit
        self.errors: list[PackageError] = []
        self.more = 0

    def add(self, file: str, row: int | None, field: str | None, message: str) -> None:
        if len(self.errors) < self.limit:
            self.errors.append(PackageError(file, row, field, message))
        else:
            self.more += 1

    @property
    def full(self) -> bool:
        return len(self.errors) >= self.limit

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise PackageRejected(self.errors, self.more)


class ExportRefused(Exception):
    """An export could not be written where asked; nothing was written there."""
