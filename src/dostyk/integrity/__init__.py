"""Integrity analytics: indicators of corruption over the warehouse, ranked and explained.

The indicators (DESIGN.md §5, docs/integrity.md) compare each inspector, supervisor, broker,
importer and post with its peers, after adjusting for the risk of the work it was given; the
ranking combines them into one score per subject with the evidence in words and numbers; the
evaluation scores the ranking against a simulated world's ground truth.
"""
