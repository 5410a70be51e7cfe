"""Helpers shared by every domain's forms."""
from __future__ import annotations


def show_error(form, error) -> None:
    """Show a service's refusal where it belongs: on its field, or above the form.

    `error` is any of the domains' errors carrying `field` (or None) and `message`.
    """
    if error.field and error.field in form:
        form[error.field].errors.append(error.message)
    else:
        form.form_errors.append(error.message)
