"""What the audit log's codes mean, in the interface language: actions, outcomes, object kinds.

The log stores stable codes (`caseapp.security.audit.record`); the audit page shows these
labels, and the code itself for a code no table names yet (never nothing). A domain adds its
own with `register_action_labels` / `register_object_labels` at import, without editing this file.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS: dict[str, object] = {
    # logging in and accounts
    "auth.login": _l("Log in"),
    "auth.logout": _l("Log out"),
    "auth.session_extended": _l("Stayed signed in (timeout warning)"),
    "auth.throttle": _l("Login slowed down after failures"),
    "auth.password_change": _l("Password changed"),
    "auth.second_factor": _l("Second step of a login"),
    "auth.second_factor_enable": _l("Two-step verification turned on"),
    "auth.second_factor_enrolment": _l("Two-step verification set-up started"),
    "users.list": _l("Users listed"),
    "users.view": _l("User account viewed"),
    "users.create": _l("User account created"),
    "users.update": _l("User account changed"),
    "users.activate": _l("User account reactivated"),
    "users.deactivate": _l("User account deactivated"),
    "users.reset_password": _l("Password reset by an administrator"),
    "users.reset_second_factor": _l("Two-step verification reset by an administrator"),
    "users.language": _l("Interface language changed"),
    "access.denied": _l("Access refused"),
    "access.list": _l("Access requests listed"),
    "access.view": _l("Access request viewed"),
    "access.request": _l("Access requested"),
    "access.grant": _l("Access granted"),
    "access.confirm": _l("Access confirmed by a supervisor"),
    "access.refuse": _l("Access refused by a supervisor"),
    "access.cancel": _l("Access request withdrawn"),
    "audit.view": _l("Audit log viewed"),
    "audit.verify": _l("Audit chain verified"),
    "keys.rotate": _l("Root key rotated"),
    "keys.retire": _l("Root key retired"),
    # beneficiaries and case files
    "beneficiaries.list": _l("Beneficiaries listed"),
    "beneficiaries.search": _l("Beneficiaries searched"),
    "beneficiaries.view": _l("Beneficiary viewed"),
    "beneficiaries.register": _l("Beneficiary registered"),
    "beneficiaries.duplicate_check": _l("Duplicate check at registration"),
    "beneficiaries.update": _l("Beneficiary changed"),
    "beneficiaries.erase": _l("Beneficiary's personal data erased"),
    "beneficiaries.reindex": _l("Search indexes rebuilt"),
    "consent.view": _l("Consent history viewed"),
    "consent.give": _l("Consent decision recorded"),
    "erasure.list": _l("Erasure requests listed"),
    "erasure.view": _l("Erasure request viewed"),
    "erasure.request": _l("Erasure requested"),
    "erasure.confirm": _l("Erasure confirmed"),
    "erasure.reject": _l("Erasure rejected"),
    "cases.my_list": _l("Own case files listed"),
    "home.view": _l("Home page viewed"),
    "cases.view": _l("Case file viewed"),
    "cases.open": _l("Case file opened"),
    "cases.close": _l("Case file closed"),
    "cases.reopen": _l("Case file reopened"),
    "cases.reassign": _l("Case file reassigned"),
    "cases.unassign": _l("Case file taken back from a departed caseworker"),
    "cases.to_assign_list": _l("Case files to assign listed"),
    "notes.add": _l("Note added"),
    # interpretation
    "interpretation.list": _l("Interpretation requests listed"),
    "interpretation.own_list": _l("Own interpretation assignments listed"),
    "interpretation.calendar": _l("Interpretation calendar viewed"),
    "interpretation.interpreter_calendar": _l("Interpreter's calendar viewed"),
    "interpretation.day_sheet": _l("Interpretation day sheet viewed"),
    "interpretation.view": _l("Interpretation request viewed"),
    "interpretation.request_form": _l("Interpretation request form opened"),
    "interpretation.request": _l("Interpreter requested"),
    "interpretation.assign": _l("Interpreter assigned"),
    "interpretation.reassign": _l("Interpreter reassigned"),
    "interpretation.confirm": _l("Interpretation confirmed"),
    "interpretation.decline": _l("Interpretation declined"),
    "interpretation.complete": _l("Interpretation delivered"),
    "interpretation.no_show": _l("Interpretation: no-show"),
    "interpretation.cancel": _l("Interpretation cancelled"),
    "interpreters.list": _l("Interpreters listed"),
    "interpreters.view": _l("Interpreter viewed"),
    "interpreters.create": _l("Interpreter added"),
    "interpreters.update": _l("Interpreter changed"),
    # referrals
    "report.view": _l("Monthly report viewed"),
    "report.caseload": _l("Own caseload report viewed"),
    "report.export": _l("Monthly report exported"),
    "referrals.inbox": _l("Referrals received listed"),
    "referrals.outbox": _l("Referrals sent listed"),
    "referrals.new_form": _l("Referral form opened"),
    "referrals.view": _l("Referral viewed"),
    "referrals.create": _l("Referral drafted"),
    "referrals.send": _l("Referral sent"),
    "referrals.accept": _l("Referral accepted"),
    "referrals.decline": _l("Referral declined"),
    "referrals.complete": _l("Referral completed"),
    "referrals.withdraw": _l("Referral withdrawn"),
    "referrals.calendar_add": _l("Working-day change added"),
    "referrals.calendar_remove": _l("Working-day change removed"),
    "referrals.update": _l("Referral draft changed"),
    # stays and households
    "deliveries.record": _l("Service delivery recorded"),
    "deliveries.reverse": _l("Service delivery reversed"),
    "deliveries.correct": _l("Service delivery corrected"),
    "deliveries.session_create": _l("Group session created"),
    "deliveries.desk_same_day": _l("Desk: same-day delivery questioned"),
    "deliveries.desk_view": _l("Desk: person served shown"),
    "deliveries.form": _l("Service delivery form opened"),
    "deliveries.view": _l("Service delivery viewed"),
    "deliveries.card": _l("Beneficiary card printed"),
    "deliveries.session_view": _l("Session register viewed"),
    "reference.structure_update": _l("Structure changed"),
    "reference.service_create": _l("Service added to a catalogue"),
    "reference.service_update": _l("Service changed"),
    "stays.shelters": _l("Shelters listed"),
    "stays.occupancy": _l("Shelter occupancy viewed"),
    "stays.admit_form": _l("Admission form opened"),
    "stays.discharge_form": _l("Discharge form opened"),
    "stays.wait_form": _l("Waiting-list form opened"),
    "stays.admit": _l("Admitted to a shelter"),
    "stays.discharge": _l("Discharged from a shelter"),
    "stays.correct_form": _l("Stay correction form opened"),
    "stays.correct": _l("Days of a stay corrected"),
    "stays.wait": _l("Put on a shelter's waiting list"),
    "stays.unwait": _l("Taken off a shelter's waiting list"),
    "households.link_form": _l("Household link form opened"),
    "households.link": _l("Household link recorded"),
    "households.unlink": _l("Household link removed"),
}

OUTCOME_LABELS: dict[str, object] = {
    "ok": _l("Done"),
    "denied": _l("Refused: no right"),
    "refused": _l("Refused"),
    "failed": _l("Failed"),
    "error": _l("Error"),
    "pending": _l("Waiting for a second person"),
    "confirmed": _l("Confirmed"),
    "conflict": _l("Conflict: changed by someone else"),
    "staff_change": _l("After a change of staff"),
    "invalid_input": _l("Refused: invalid input"),
    "invalid_edit": _l("Refused: invalid change"),
    "throttled": _l("Slowed down"),
    "blocked": _l("Blocked"),
    "batch_refused": _l("Batch refused"),
    "superseded": _l("Superseded"),
    "after_warning": _l("After a duplicate warning"),
    "similar_names": _l("Similar names shown"),
    "password_ok": _l("Password accepted"),
    "edit_form": _l("Edit form opened"),
    "erasure_form": _l("Erasure form opened"),
    "operator": _l("By an operator (command line)"),
    "broken": _l("Chain broken"),
}

OBJECT_LABELS: dict[str, object] = {
    "user": _l("User"),
    "structure": _l("Structure"),
    "monthly_report": _l("Monthly report"),
    "route": _l("Page"),
    "beneficiary": _l("Beneficiary"),
    "beneficiary_index": _l("Beneficiary list"),
    "beneficiary_page": _l("Beneficiary list page"),
    "beneficiary_search": _l("Beneficiary search"),
    "case_file": _l("Case file"),
    "case_note": _l("Case note"),
    "access_request": _l("Access request"),
    "erasure_request": _l("Erasure request"),
    "erasure_request_page": _l("Erasure request list page"),
    "interpretation_request": _l("Interpretation request"),
    "interpretation_request_page": _l("Interpretation request list page"),
    "interpreter": _l("Interpreter"),
    "interpreter_page": _l("Interpreter list page"),
    "root_key": _l("Root key"),
    "referral": _l("Referral"),
    "referral_page": _l("Referral list page"),
    "working_day_override": _l("Working-day change"),
    "stay": _l("Shelter stay"),
    "stay_waiting_entry": _l("Shelter waiting-list entry"),
    "household_link": _l("Household link"),
    "service_delivery": _l("Service delivery"),
    "group_session": _l("Group session"),
    "service": _l("Service"),
    "structure_list": _l("Structure list"),
}


def register_action_labels(labels: dict[str, object]) -> None:
    """Add a domain's action codes → lazily translated labels."""
    ACTION_LABELS.update(labels)


def register_object_labels(labels: dict[str, object]) -> None:
    """Add a domain's object types → lazily translated labels."""
    OBJECT_LABELS.update(labels)


def action_label(code: str) -> str:
    """The label of an action code in the interface language; the code itself when unnamed."""
    return str(ACTION_LABELS.get(code, code))


def outcome_label(code: str) -> str:
    return str(OUTCOME_LABELS.get(code, code))


def object_label(code: str | None) -> str:
    return "" if not code else str(OBJECT_LABELS.get(code, code))
