"""Asking the holders: a request, at registration, to the structures that hold a possible duplicate."""
