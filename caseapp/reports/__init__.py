"""Monthly reports: sections assembled from each domain's `stats.py`, dashboards and exports.

Reads the domains' statistics; no domain imports this package.
"""
