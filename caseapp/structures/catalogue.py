"""The catalogue of services partner organisations offer (code, Greek name, English name).

A partner's services are `Service` rows under its structure, with codes from this
list, so a referral to a partner picks from the receiving structure's catalogue like
a referral to a municipal structure, and the directory can be searched by service.
Unit of delivery is "case": partners report no deliveries here.
"""
from __future__ import annotations

PARTNER_SERVICES: dict[str, tuple[str, str]] = {
    "LEGAL_AID": ("Νομική συνδρομή", "Legal aid"),
    "ASYLUM_LEGAL": ("Νομική συνδρομή στη διαδικασία ασύλου", "Legal aid in the asylum procedure"),
    "FAMILY_REUNIFICATION": ("Οικογενειακή επανένωση και αναζήτηση", "Family reunification and tracing"),
    "VOLUNTARY_RETURN": ("Υποβοηθούμενη εθελοντική επιστροφή", "Assisted voluntary return"),
    "PSYCHOSOCIAL": ("Ψυχοκοινωνική υποστήριξη", "Psychosocial support"),
    "MENTAL_HEALTH": ("Φροντίδα ψυχικής υγείας", "Mental-health care"),
    "PRIMARY_CARE": ("Πρωτοβάθμια ιατρική φροντίδα", "Primary health care"),
    "ADDICTION_TREATMENT": ("Θεραπεία εξάρτησης", "Addiction treatment"),
    "HARM_REDUCTION": ("Μείωση της βλάβης", "Harm reduction"),
    "HIV_HEPATITIS": ("Εξέταση και υποστήριξη για HIV και ηπατίτιδες", "HIV and hepatitis testing and support"),
    "HOUSING": ("Στέγαση", "Housing"),
    "EMERGENCY_SHELTER": ("Επείγουσα φιλοξενία", "Emergency accommodation"),
    "FOOD": ("Επισιτιστική βοήθεια", "Food assistance"),
    "CASH": ("Οικονομική βοήθεια", "Cash assistance"),
    "EMPLOYMENT": ("Υποστήριξη για απασχόληση", "Employment support"),
    "EDUCATION": ("Εκπαίδευση και μαθήματα γλώσσας", "Education and language classes"),
    "CHILD_PROTECTION": ("Προστασία παιδιού", "Child protection"),
    "UNACCOMPANIED_MINORS": ("Ασυνόδευτοι ανήλικοι", "Unaccompanied minors"),
    "GBV": ("Υποστήριξη επιζωσών έμφυλης βίας", "Support for survivors of gender-based violence"),
    "TRAFFICKING": ("Υποστήριξη θυμάτων εμπορίας ανθρώπων", "Support for victims of trafficking"),
    "LGBTQI": ("Υποστήριξη ΛΟΑΤΚΙ+ ατόμων", "LGBTQI+ support"),
    "DISABILITY": ("Υποστήριξη ατόμων με αναπηρία", "Disability support"),
    "INTERPRETATION": ("Διερμηνεία και διαπολιτισμική μεσολάβηση", "Interpretation and cultural mediation"),
}

SERVICE_UNIT = "case"


def service_entries(codes) -> list[tuple[str, str, str, str]]:
    """(code, Greek name, English name, unit) for each catalogue code, as reference data lists them.

    Raises KeyError for a code not in the catalogue.
    """
    return [(code, *PARTNER_SERVICES[code], SERVICE_UNIT) for code in codes]
