"""Reference structures (DESIGN.md §2), partner organisations and service catalogues.

Loaded by `flask structures load`; admins may edit them afterwards. Each entry:
code, Greek name, English name, kind, parent code, confidential, services, and for
shelters the bed capacity (`capacity`, optional).
A service is (code, Greek name, English name, unit of delivery).
"""

COUNSELLING_SERVICES = [
    ("PSYCHOSOCIAL", "Ψυχοκοινωνική υποστήριξη", "Psychosocial support", "session"),
    ("LEGAL", "Νομική συμβουλευτική", "Legal counselling", "session"),
    ("SOCIAL_RIGHTS", "Ενημέρωση για κοινωνικά δικαιώματα", "Social-rights information", "session"),
]

STRUCTURES = [
    {
        "code": "KEM", "kind": "counselling", "parent": None, "confidential": False,
        "name_el": "Κέντρο Ένταξης Μεταναστών", "name_en": "Migrant Integration Centre",
        "services": COUNSELLING_SERVICES + [
            ("COURSE_GREEK", "Μαθήματα ελληνικών", "Greek language course", "session"),
            ("COURSE_ENGLISH", "Μαθήματα αγγλικών", "English language course", "session"),
            ("COURSE_IT", "Μαθήματα πληροφορικής", "IT course", "session"),
            ("CAREER", "Συμβουλευτική σταδιοδρομίας", "Career counselling", "session"),
            ("CITIZENSHIP_SEMINAR", "Σεμινάριο προετοιμασίας για εξετάσεις ιθαγένειας",
             "Citizenship-exam seminar", "session"),
            ("INTERCULTURAL", "Διαπολιτισμικές δράσεις", "Intercultural activity", "session"),
        ],
    },
    {
        "code": "SHELTER-W", "kind": "shelter", "parent": None, "confidential": True, "capacity": 20,
        "name_el": "Ξενώνας φιλοξενίας γυναικών θυμάτων βίας & των παιδιών τους",
        "name_en": "Shelter for women survivors of violence and their children",
        "services": [
            ("STAY", "Φιλοξενία (διανυκτέρευση)", "Shelter stay (night)", "night"),
            ("MEALS", "Γεύματα", "Meals", "meal"),
            ("PSYCHOSOCIAL", "Ψυχοκοινωνική υποστήριξη", "Psychosocial support", "session"),
        ],
    },
    {
        "code": "GBV-CC", "kind": "counselling", "parent": None, "confidential": True,
        "name_el": "Κέντρο για την Καταπολέμηση της Έμφυλης Βίας και των Πολλαπλών Διακρίσεων",
        "name_en": "Counselling Centre against Gender-Based Violence and Multiple Discrimination",
        "services": COUNSELLING_SERVICES,
    },
    {
        "code": "KYADA", "kind": "reception", "parent": None, "confidential": False,
        "name_el": "Κέντρο Υποδοχής και Αλληλεγγύης Δήμου Αθηναίων",
        "name_en": "Reception and Solidarity Centre",
        "services": [
            ("SOCIAL_WORK", "Κοινωνική υπηρεσία", "Social work session", "session"),
        ],
    },
    {
        "code": "KYADA-FOOD", "kind": "social_service", "parent": "KYADA", "confidential": False,
        "name_el": "Κέντρο σίτισης", "name_en": "Food centre",
        "services": [("MEALS", "Γεύματα", "Meals", "meal")],
    },
    {
        "code": "KYADA-SHELTER", "kind": "shelter", "parent": "KYADA", "confidential": False, "capacity": 120,
        "name_el": "Υπνωτήρια αστέγων", "name_en": "Homeless shelters",
        "services": [
            ("STAY", "Φιλοξενία (διανυκτέρευση)", "Shelter stay (night)", "night"),
            ("MEALS", "Γεύματα", "Meals", "meal"),
        ],
    },
    {
        "code": "KYADA-PHARMACY", "kind": "social_service", "parent": "KYADA", "confidential": False,
        "name_el": "Κοινωνικό φαρμακείο", "name_en": "Social pharmacy",
        "services": [("MEDICINES", "Χορήγηση φαρμάκων", "Medicines dispensed", "prescription")],
    },
    {
        "code": "KYADA-GROCERY", "kind": "social_service", "parent": "KYADA", "confidential": False,
        "name_el": "Κοινωνικό παντοπωλείο", "name_en": "Social grocery",
        "services": [("GROCERY", "Διανομή τροφίμων", "Grocery distribution", "parcel")],
    },
    {
        "code": "KYADA-LAUNDRY", "kind": "social_service", "parent": "KYADA", "confidential": False,
        "name_el": "Κοινωνικά πλυντήρια", "name_en": "Social laundry",
        "services": [("LAUNDRY", "Πλύση ρούχων", "Laundry", "load")],
    },
    {
        "code": "KYADA-MUTUAL", "kind": "social_service", "parent": "KYADA", "confidential": False,
        "name_el": "Κόμβος αλληλοβοήθειας", "name_en": "Mutual-aid hub",
        "services": [("FOOD_PARCEL", "Δέματα τροφίμων", "Food parcels", "parcel")],
    },
    {
        "code": "KYADA-MARKET", "kind": "social_service", "parent": "KYADA", "confidential": False,
        "name_el": "«Αθηναϊκή Αγορά»", "name_en": "\"Athenian Market\"",
        "services": [
            ("CLOTHES", "Ρούχα", "Clothes", "item"),
            ("SHOES", "Παπούτσια", "Shoes", "item"),
        ],
    },
    {
        "code": "SHELTER-ADD", "kind": "shelter", "parent": None, "confidential": False, "capacity": 40,
        "name_el": "Δομή προσωρινής – μεταβατικής φιλοξενίας",
        "name_en": "Transitional shelter for homeless people with addictions",
        "services": [
            ("STAY", "Φιλοξενία (διανυκτέρευση)", "Shelter stay (night)", "night"),
            ("MEALS", "Γεύματα", "Meals", "meal"),
            ("PSYCHOSOCIAL", "Ψυχοκοινωνική υποστήριξη", "Psychosocial support", "session"),
        ],
    },
    {
        "code": "CLINICS", "kind": "clinic", "parent": None, "confidential": False,
        "name_el": "Δημοτικά Ιατρεία", "name_en": "Municipal clinics",
        "services": [
            ("PRIMARY_CARE", "Πρωτοβάθμια φροντίδα", "Primary care", "visit"),
            ("DENTAL", "Οδοντιατρική φροντίδα", "Dental care", "visit"),
            ("CHRONIC", "Παρακολούθηση χρόνιων ασθενών", "Chronic-patient follow-up", "visit"),
            ("CERTIFICATE", "Ιατρική βεβαίωση", "Medical certificate", "certificate"),
        ],
    },
    {
        "code": "DIS-PROG", "kind": "programme", "parent": None, "confidential": False,
        "name_el": "Πρόγραμμα υποστήριξης αιτούντων άσυλο και δικαιούχων διεθνούς προστασίας με αναπηρία",
        "name_en": "Programme for asylum seekers and refugees with disabilities",
        "services": [
            ("CASE_MANAGEMENT", "Διαχείριση περίπτωσης", "Case management", "session"),
            ("DISABILITY_CERT", "Υποστήριξη για πιστοποίηση αναπηρίας",
             "Support with disability certification", "session"),
            ("DISABILITY_ALLOWANCE", "Υποστήριξη αίτησης επιδόματος αναπηρίας",
             "Support with disability-allowance application", "session"),
            ("INTERPRETATION_ESCORT", "Διερμηνεία και συνοδεία", "Interpretation and escort", "session"),
            ("ASSISTIVE_DEVICE", "Βοηθητικό μέσο", "Assistive device", "device"),
        ],
    },
    {
        "code": "OSN", "kind": "social_service", "parent": None, "confidential": False,
        "name_el": "Open Social Net", "name_en": "Open Social Net",
        "services": [("FOOD_PARCEL", "Δέματα τροφίμων", "Food parcels", "parcel")],
    },
    {
        "code": "ACCMR", "kind": "coordination", "parent": None, "confidential": False,
        "name_el": "Κέντρο Συντονισμού για θέματα Μεταναστών και Προσφύγων",
        "name_en": "Athens Coordination Center for Migrant and Refugee issues",
        "services": [],
    },
]

CLINIC_SITES = [
    ("CLINICS-1", "1ο Πολυδύναμο Δημοτικό Ιατρείο", "Polyvalent municipal clinic 1"),
    ("CLINICS-2", "2ο Πολυδύναμο Δημοτικό Ιατρείο", "Polyvalent municipal clinic 2"),
    ("CLINICS-3", "3ο Πολυδύναμο Δημοτικό Ιατρείο", "Polyvalent municipal clinic 3"),
    ("CLINICS-4", "4ο Πολυδύναμο Δημοτικό Ιατρείο", "Polyvalent municipal clinic 4"),
    ("CLINICS-5", "5ο Δημοτικό Ιατρείο", "Municipal clinic 5"),
    ("CLINICS-6", "6ο Δημοτικό Ιατρείο", "Municipal clinic 6"),
    ("CLINICS-7", "7ο Δημοτικό Ιατρείο", "Municipal clinic 7"),
]

for _code, _el, _en in CLINIC_SITES:
    STRUCTURES.append({
        "code": _code, "kind": "clinic", "parent": "CLINICS", "confidential": False,
        "name_el": _el, "name_en": _en, "services": [],
    })

PARTNER_SERVICES = [
    ("REFERRAL_SUPPORT", "Υποστήριξη κατόπιν παραπομπής", "Support on referral", "case"),
]

PARTNERS = [
    ("P-UNHCR", "Ύπατη Αρμοστεία του ΟΗΕ για τους Πρόσφυγες (UNHCR)", "UNHCR, the UN Refugee Agency"),
    ("P-IOM", "Διεθνής Οργανισμός Μετανάστευσης (IOM)", "International Organization for Migration (IOM)"),
    ("P-OKANA", "Οργανισμός Κατά των Ναρκωτικών (ΟΚΑΝΑ)", "Organisation Against Drugs (OKANA)"),
    ("P-KETHEA", "Κέντρο Θεραπείας Εξαρτημένων Ατόμων (ΚΕΘΕΑ)", "Therapy Centre for Dependent Individuals (KETHEA)"),
    ("P-APOSTOLI", "«Αποστολή» της Ιεράς Αρχιεπισκοπής Αθηνών", "\"Apostoli\" of the Archdiocese of Athens"),
    ("P-PRAKSIS", "PRAKSIS", "PRAKSIS"),
    ("P-MDM", "Γιατροί του Κόσμου", "Doctors of the World"),
    ("P-PEER-DRUG", "Δίκτυο ομότιμων χρηστών ναρκωτικών", "Peer network of people who use drugs"),
    ("P-PROMETHEUS", "Σύλλογος ασθενών ήπατος «Προμηθέας»", "Liver patients' association \"Prometheus\""),
    ("P-POSITIVE-VOICE", "«Θετική Φωνή»", "\"Positive Voice\""),
]

for _code, _el, _en in PARTNERS:
    STRUCTURES.append({
        "code": _code, "kind": "partner", "parent": None, "confidential": False,
        "name_el": _el, "name_en": _en, "services": PARTNER_SERVICES,
    })
