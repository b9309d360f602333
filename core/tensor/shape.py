"""TEMPORARY STUB written by the lead so the package imports; the owner overwrites this file entirely."""
__all__ = []
