"""Reading XML safely, and the packaged WCO schemas that decide whether it is a declaration.

Every document goes through defusedxml with DTDs forbidden outright: a declaration has no use for
a document type, and refusing it refuses entity expansion ("billion laughs") and external
entities before any is resolved. Validation runs on the parsed tree, never on the text, so the
schema library never opens anything the document names (``xsi:schemaLocation`` is ignored).

The schemas are the UK customs authority's published WCO Data Model 3.6 schemas, packaged under
``schemas/`` (Apache-2.0; see its PROVENANCE.md). Building them takes seconds, so each is built
once per process, on first use.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from xml.etree.ElementTree import Element, ParseError

import xmlschema
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from dostyk.interchange.json_documents import DocumentError, DocumentRejected

SCHEMAS = Path(__file__).parent / "schemas"
#: Namespaces of the envelope, the declaration and the response.
METADATA_NS = "urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
DECLARATION_NS = "urn:wco:datamodel:WCO:DEC-DMS:2"
RESPONSE_NS = "urn:wco:datamodel:WCO:RES-DMS:2"
#: The UK's transport envelope around a declaration (its MDG gateway); the MetaData inside is read.
HMRC_ENVELOPE_NS = (
    "http://uk/gov/hmrc/mdg/declarationmanagement/submitdeclaration/request/schema/v1"
)
#: Schema errors reported at most per document (the first are the ones to fix).
MAX_REPORTED = 20
#: The largest XML document taken, in bytes.
MAX_BYTES = 5_000_000

Kind = Literal["declaration", "notification"]
ROOTS = {"declaration": "WCO_DEC_2_DMS.xsd", "notification": "WCO_RES_2_DMS.xsd"}


@lru_cache(maxsize=2)
def schema(kind: Kind) -> xmlschema.XMLSchema:
    """The envelope's schema with the declaration's or the response's (built once)."""
    folder = SCHEMAS / kind
    return xmlschema.XMLSchema(
        [str(folder / "DocumentMetaData_2_DMS.xsd"), str(folder / ROOTS[kind])]
    )


def parse(data: bytes | str, file: str) -> Element:
    """The document's root element; DocumentRejected naming the file and the line if it is not
    well-formed, or if it has a DTD, an entity or an external reference."""
    size = len(data.encode("utf-8") if isinstance(data, str) else data)
    if size > MAX_BYTES:
        raise _rejected(file, "", f"is {size:,} bytes; the most taken is {MAX_BYTES:,}")
    try:
        root: Element = fromstring(data, forbid_dtd=True, forbid_entities=True)
    except DefusedXmlException as error:
        name = type(error).__name__
        problem = {
            "DTDForbidden": "has a document type declaration (DTD); declarations have none",
            "EntitiesForbidden": "declares entities; declarations have none",
            "ExternalReferenceForbidden": "refers to an external resource; it is not fetched",
        }.get(name, f"is refused: {error}")
        raise _rejected(file, "", problem) from None
    except ParseError as error:
        line, column = error.position
        raise _rejected(file, f"line {line}, column {column}", _syntax(error)) from None
    except (ValueError, UnicodeError) as error:
        raise _rejected(file, "", f"is not readable XML: {error}") from None
    return root


def _syntax(error: ParseError) -> str:
    message = str(error).split(":", 1)[0]
    return f"not well-formed XML ({message})"


def unwrap(root: Element, file: str) -> Element:
    """The WCO MetaData document, inside the UK's submission envelope if it came in one."""
    if root.tag == f"{{{HMRC_ENVELOPE_NS}}}submitDeclarationRequest":
        inner = root.find(f"{{{HMRC_ENVELOPE_NS}}}requestDetail/{{{METADATA_NS}}}MetaData")
        if inner is None:
            raise _rejected(file, "submitDeclarationRequest", "holds no WCO MetaData document")
        return inner
    return root


def validate(root: Element, kind: Kind, file: str) -> None:
    """DocumentRejected listing the schema's objections, each with its element's path."""
    problems: list[DocumentError] = []
    for error in schema(kind).iter_errors(root):
        if len(problems) == MAX_REPORTED:
            problems.append(DocumentError(file, "", "further schema errors are not listed"))
            break
        path = _readable(error.path or "")
        reason = error.reason or str(error.message)
        problems.append(DocumentError(file, path, f"schema: {reason}"))
    if problems:
        raise DocumentRejected(problems)


def _readable(path: str) -> str:
    """An XPath without namespace URIs: /MetaData/Declaration/GoodsShipment[1]."""
    parts = []
    for step in path.split("/"):
        if "}" in step:
            step = step.split("}", 1)[1]
        parts.append(step)
    return "/".join(parts)


def _rejected(file: str, where: str, problem: str) -> DocumentRejected:
    return DocumentRejected([DocumentError(file, where, problem)])
