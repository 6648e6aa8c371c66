"""Simulated customs worlds: synthetic packages for load tests, and the calibrated network."""
