"""Referrals between structures and to partner organisations (models, service, queries, views)."""
