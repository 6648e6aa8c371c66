"""UN/EDIFACT: CUSDEC and CUSCAR in, CUSRES out (directory D.96B, the subset in diagrams.py).

:mod:`.segments` (pydifact's tokenizer, numbered segments) ← :mod:`.envelope` (UNB/UNH/UNT/UNZ)
← :mod:`.structure` (segment groups, checked against :mod:`.diagrams`) ← :mod:`.cusdec`,
:mod:`.cuscar`, :mod:`.cusres` (the messages' meaning). Every error names the file, the segment's
number and tag, and the element.
"""
