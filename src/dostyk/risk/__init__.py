"""Selectivity's methods: rule profiles, the learned risk model and their evaluation."""
