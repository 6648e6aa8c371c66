"""The customs domain: plain types and the rules that hold between them, with no I/O.

Every other layer speaks in these types. Invariants are checked where a value is made, so a
record that breaks one never reaches the store, whichever entry point it came through.
"""
