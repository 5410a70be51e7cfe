"""Users, roles, login sessions and user administration."""
