"""The WCO Data Model 3.6: declarations in (DEC-DMS v2 XML), customs responses out (RES-DMS v2).

- :mod:`.safe_xml` reads XML safely (defusedxml: no DTD, no entities, no external references) and
  validates it against the packaged schemas (``schemas/``, with their provenance and licence);
- :mod:`.declarations` reads a validated declaration into the neutral
  :class:`~dostyk.interchange.stated.StatedDeclaration`, lodged by
  :mod:`dostyk.interchange.lodging` through the same use case as the JSON document;
- :mod:`.responses` writes the responses a declarant's system receives (received, accepted,
  rejected with the reasons, documents requested, control, duties, cleared, cancelled) from the
  declaration's recorded history, each validated against the notification schema before it
  leaves.
"""
