"""Case files have callers in several domains; their tests share the beneficiaries' helpers."""
from tests.beneficiaries.conftest import english  # noqa: F401  (autouse: assertions read English)
