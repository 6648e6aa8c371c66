"""docs/data-package.md, written from the table definitions so it cannot fall out of date.

The prose is ``introduction.md`` beside this module; the tables are rendered from the store's
definitions. Regenerate with
``uv run python -m dostyk.interchange.datapackage.documentation > docs/data-package.md``;
a test fails when the committed file differs from what this module writes.
"""

from __future__ import annotations

from importlib import resources

from dostyk.interchange.datapackage.descriptor import field_descriptor, table_schema
from dostyk.store.tables import TABLES


def _constraints(field: dict[str, object]) -> str:
    constraints = field.get("constraints")
    if not isinstance(constraints, dict):
        return ""
    parts = []
    if constraints.get("required"):
        parts.append("required")
    if "enum" in constraints:
        parts.append("one of " + ", ".join(f"`{v}`" for v in constraints["enum"]))
    if "maxLength" in constraints:
        parts.append(f"≤ {constraints['maxLength']} chars")
    return "; ".join(parts)


def render() -> str:
    introduction = resources.files(__package__).joinpath("introduction.md").read_text("utf-8")
    lines = [introduction]
    for table in TABLES:
        schema = table_schema(table)
        lines.append(f"### `{table.name}`\n")
        lines.append(table.info["description"] + "\n")
        key = ", ".join(f"`{k}`" for k in schema["primaryKey"])
        lines.append(f"Primary key: {key}.")
        for reference in schema.get("foreignKeys", []):
            fields = ", ".join(f"`{f}`" for f in reference["fields"])
            target = reference["reference"]["resource"] or table.name
            target_fields = ", ".join(f"`{f}`" for f in reference["reference"]["fields"])
            lines.append(f"{fields} → `{target}` ({target_fields}).")
        lines.append("")
        lines.append("| column | type | constraints | meaning |")
        lines.append("|---|---|---|---|")
        for column in table.columns:
            field = field_descriptor(column)
            lines.append(
                f"| `{column.name}` | {field['type']} | {_constraints(field)} | "
                f"{str(field['description']).replace('|', chr(92) + '|')} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
