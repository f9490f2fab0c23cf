"""Retrieval evaluation on BEIR-format collections (and, later, expert finding)."""
