"""Radiation portal monitoring: alarm algorithms, simulated occupancies, handheld identification.

The algorithms work on many occupancies at once (numpy arrays stacked over occupancies), so that
a post's whole day is analysed in a fraction of a second; a single occupancy is a batch of one and
gets the very same answer. See docs/radiation.md for each method and its reference.
"""
