"""A declaration's responses in the format its declarant's system reads: WCO XML or CUSRES."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import Engine

from dostyk.interchange.answers import responses
from dostyk.interchange.edifact.cusres import cusres
from dostyk.interchange.wco.responses import wco_responses
from dostyk.services.declaration_record import read_declaration

Format = Literal["wco", "cusres"]
MEDIA_TYPES = {"wco": "application/xml", "cusres": "application/edifact"}


def respond(engine: Engine, declaration_id: str, format: Format) -> bytes:
    """Every response so far, oldest first (NotFound if there is no such declaration)."""
    answers = responses(read_declaration(engine, declaration_id))
    if format == "wco":
        return wco_responses(answers)
    return cusres(answers).encode("utf-8")
