"""Service deliveries: what a structure gave a person (the desk, group sessions, corrections),
the beneficiary card, and the reference data (structures, service catalogues) on screen."""
