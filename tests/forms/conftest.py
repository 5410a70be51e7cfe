"""Tests of input that is never lost: English assertions, like the beneficiaries tests."""
from tests.beneficiaries.conftest import english, register  # noqa: F401  (fixtures)
