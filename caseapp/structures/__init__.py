"""Structures (municipal units and partner organisations) and their services."""
