"""Interchange formats: how records enter and leave Dostyk."""
