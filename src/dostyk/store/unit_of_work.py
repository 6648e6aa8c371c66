"""The unit of work: one database transaction around one use case.

A use case opens a unit of work, uses its repositories, and either the whole of it is committed
or none of it is. Use cases never see a session or a connection, so they cannot commit half-way.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine

from dostyk.store import repositories as r


class UnitOfWork:
    connection: Connection

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        self.connection = self.engine.connect()
        self._transaction = self.connection.begin()
        if self.connection.dialect.name == "postgresql":
            # Foreign keys are checked at commit, as on SQLite with defer_foreign_keys below, so
            # a use case may write a row before the row it refers to.
            self.connection.exec_driver_sql("SET CONSTRAINTS ALL DEFERRED")
        else:
            self.connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        c = self.connection
        self.posts = r.Posts(c)
        self.officers = r.Officers(c)
        self.postings = r.Postings(c)
        self.parties = r.Parties(c)
        self.conveyances = r.Conveyances(c)
        self.crossings = r.Crossings(c)
        self.manifests = r.Manifests(c)
        self.manifest_lines = r.ManifestLines(c)
        self.declarations = r.Declarations(c)
        self.items = r.DeclarationItems(c)
        self.units = r.DeclarationUnits(c)
        self.tariff_rates = r.TariffRates(c)
        return self

    def commit(self) -> None:
        self._transaction.commit()
        self._committed = True

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if self._transaction.is_active:
                if kind is None:
                    self._transaction.commit()
                else:
                    self._transaction.rollback()
        finally:
            self.connection.close()
