"""The branching diagrams of the messages Dostyk takes and writes: a subset of directory D.96B.

Each is the part of the UN/EDIFACT D.96B message that a declaration, a cargo report or a response
needs, in D.96B's order, with its mandatory (M) and conditional segments and their repetitions;
a segment outside the subset is refused by name and number rather than silently ignored, so that
a sender never believes Dostyk read what it did not. docs/interchange.md shows them as tables.
"""

from __future__ import annotations

from dostyk.interchange.edifact.structure import Group, Seg

DIRECTORY = ("D", "96B")

#: CUSDEC, the customs declaration: header (parties, place, units, rate), then goods items.
CUSDEC = Group(
    "CUSDEC",
    (
        Seg("UNH", True),
        Seg("BGM", True),
        Seg("LOC", repeats=9),
        Seg("DTM", repeats=9),
        Group("SG4 (NAD)", (Seg("NAD", True),), repeats=9),
        Group("SG7 (EQD)", (Seg("EQD", True), Seg("SEL", repeats=9)), repeats=999),
        Seg("CUX"),
        Seg("UNS", True),
        Group(
            "SG29 (CST)",
            (
                Seg("CST", True),
                Seg("FTX", repeats=9),
                Seg("LOC", repeats=9),
                Seg("MEA", repeats=9),
                Seg("QTY", repeats=9),
                Seg("MOA", repeats=9),
            ),
            mandatory=True,
            repeats=999,
        ),
        Seg("UNT", True),
    ),
)

#: CUSCAR, the carrier's cargo report: the movement, the carrier, then one group per line.
CUSCAR = Group(
    "CUSCAR",
    (
        Seg("UNH", True),
        Seg("BGM", True),
        Seg("DTM", repeats=9),
        Seg("LOC", repeats=9),
        Group("SG2 (NAD)", (Seg("NAD", True),), repeats=9),
        Group("SG7 (TDT)", (Seg("TDT", True),), mandatory=True),
        Group(
            "SG10 (GID)",
            (
                Seg("GID", True),
                Seg("FTX", repeats=9),
                Seg("PIA", repeats=9),
                Seg("MEA", repeats=9),
                Seg("SGP", repeats=9),
                Group("SG13 (NAD)", (Seg("NAD", True),), repeats=9),
            ),
            mandatory=True,
            repeats=9999,
        ),
        Seg("UNT", True),
    ),
)

#: CUSRES, customs' response: what it answers, about which declaration, errors, duties.
CUSRES = Group(
    "CUSRES",
    (
        Seg("UNH", True),
        Seg("BGM", True),
        Seg("DTM", repeats=9),
        Seg("FTX", repeats=9),
        Group("SG1 (RFF)", (Seg("RFF", True),), mandatory=True, repeats=9),
        Group(
            "SG4 (ERP)", (Seg("ERP", True), Seg("ERC", True), Seg("FTX", repeats=9)), repeats=999
        ),
        Group(
            "SG9 (CST)",
            (
                Seg("CST", True),
                Group("SG10 (TAX)", (Seg("TAX", True), Seg("MOA", repeats=9)), repeats=99),
            ),
            repeats=999,
        ),
        Seg("UNT", True),
    ),
)

DIAGRAMS = {"CUSDEC": CUSDEC, "CUSCAR": CUSCAR, "CUSRES": CUSRES}
