"""The data package's documentation is the one the code would write."""

from __future__ import annotations

from dostyk.interchange.datapackage.documentation import render
from dostyk.store.tables import TABLES
from tests.conftest import REPO


def test_docs_data_package_md_is_current() -> None:
    committed = (REPO / "docs" / "data-package.md").read_text(encoding="utf-8")
    assert committed == render(), (
        "docs/data-package.md is stale: run "
        "`uv run python -m dostyk.interchange.datapackage.documentation > docs/data-package.md`"
    )


def test_every_table_and_column_is_documented() -> None:
    text = render()
    for table in TABLES:
        assert f"### `{table.name}`" in text
        for column in table.columns:
            assert column.comment, f"{table.name}.{column.name} has no description"
            assert f"| `{column.name}` |" in text
