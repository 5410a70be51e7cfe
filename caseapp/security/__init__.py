"""Security: access policy, audit log, field encryption, HTTP headers."""
