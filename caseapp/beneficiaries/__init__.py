"""Beneficiaries, consent, case files, notes, the case timeline and erasure."""
