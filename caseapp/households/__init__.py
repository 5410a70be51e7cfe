"""Households: links between people (partner, parent and child, sibling, other)."""
