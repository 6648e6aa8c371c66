"""Tamper-evident ledger: an append-only Merkle-tree log in the manner of Certificate Transparency.

Every state change in Dostyk appends one entry; the entry's leaf hash goes into a Merkle tree
built exactly as RFC 6962 / RFC 9162 §2 build theirs, so that the log can prove, to anyone holding
only a signed tree head and a public key, that an entry is present and unchanged (inclusion proof)
and that a later head extends an earlier one without rewriting history (consistency proof).

:mod:`dostyk.ledger.merkle` holds the pure hashing and proof algorithms; :mod:`dostyk.ledger.heads`
signs tree heads and verifies self-contained proof documents.
"""
