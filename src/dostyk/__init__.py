"""Dostyk: customs control and integrity for a network of border crossing points."""

__version__ = "0.1.0"
