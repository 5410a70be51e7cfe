"""Account tests read English, like the beneficiaries tests."""
from tests.beneficiaries.conftest import english  # noqa: F401  (fixture)
