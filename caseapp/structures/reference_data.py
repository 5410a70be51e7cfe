"""Reference structures (DESIGN.md §2), partner organisations and service catalogues.

Loaded by `flask structures load`; admins may edit them afterwards. Each entry:
code, Greek name, English name, kind, parent code, confidential, services, and for
shelters the bed capacity (`capacity`, optional).
A service is (code, Greek name, English name, unit of delivery). A partner's entry also
has `partner`: its directory details (languages, website), loaded once like the rest.
"""
from caseapp.structures.catalogue import service_entries

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

# The 39 signatories of ACCMR's memorandum (DESIGN.md §2): code, Greek name, English name,
# services (codes of `catalogue.PARTNER_SERVICES`), languages (shared ISO 639-1 codes), website.
# Contact people, phones, addresses and notes are the coordinator's to fill in.
PARTNERS = [
    ("P-UNHCR", "Ύπατη Αρμοστεία του ΟΗΕ για τους Πρόσφυγες (UNHCR)", "UNHCR, the UN Refugee Agency",
     ["ASYLUM_LEGAL", "CHILD_PROTECTION", "CASH"], ["el", "en", "fr", "ar", "fa"], "https://www.unhcr.org/gr/"),
    ("P-IOM", "Διεθνής Οργανισμός Μετανάστευσης (IOM)", "International Organization for Migration (IOM)",
     ["VOLUNTARY_RETURN", "HOUSING", "TRAFFICKING", "EDUCATION"], ["el", "en", "fr", "ar", "fa", "ur"],
     "https://greece.iom.int/"),
    ("P-OKANA", "Οργανισμός Κατά των Ναρκωτικών (ΟΚΑΝΑ)", "Organisation Against Drugs (OKANA)",
     ["ADDICTION_TREATMENT", "HARM_REDUCTION"], ["el", "en"], "https://www.okana.gr/"),
    ("P-KETHEA", "Κέντρο Θεραπείας Εξαρτημένων Ατόμων (ΚΕΘΕΑ)", "Therapy Centre for Dependent Individuals (KETHEA)",
     ["ADDICTION_TREATMENT", "PSYCHOSOCIAL", "EMPLOYMENT"], ["el", "en", "ar", "fa"], "https://www.kethea.gr/"),
    ("P-APOSTOLI", "«Αποστολή» της Ιεράς Αρχιεπισκοπής Αθηνών", "\"Apostoli\" of the Archdiocese of Athens",
     ["FOOD", "HOUSING", "PSYCHOSOCIAL"], ["el", "en", "ar"], "https://mkoapostoli.com/"),
    ("P-PRAKSIS", "PRAKSIS", "PRAKSIS",
     ["PRIMARY_CARE", "HOUSING", "EMPLOYMENT", "UNACCOMPANIED_MINORS", "LEGAL_AID"],
     ["el", "en", "fr", "ar", "fa", "ps"], "https://praksis.gr/"),
    ("P-MDM", "Γιατροί του Κόσμου", "Doctors of the World",
     ["PRIMARY_CARE", "MENTAL_HEALTH", "HOUSING"], ["el", "en", "fr", "ar", "fa"], "https://mdmgreece.gr/"),
    ("P-PEER-DRUG", "Δίκτυο ομότιμων χρηστών ναρκωτικών", "Peer network of people who use drugs",
     ["HARM_REDUCTION", "PSYCHOSOCIAL"], ["el", "en"], None),
    ("P-PROMETHEUS", "Σύλλογος ασθενών ήπατος «Προμηθέας»", "Liver patients' association \"Prometheus\"",
     ["HIV_HEPATITIS"], ["el", "en"], "https://www.hepatitis.gr/"),
    ("P-POSITIVE-VOICE", "«Θετική Φωνή»", "\"Positive Voice\"",
     ["HIV_HEPATITIS", "LGBTQI", "PSYCHOSOCIAL"], ["el", "en"], "https://positivevoice.gr/"),
    ("P-GCR", "Ελληνικό Συμβούλιο για τους Πρόσφυγες", "Greek Council for Refugees",
     ["ASYLUM_LEGAL", "LEGAL_AID", "PSYCHOSOCIAL"], ["el", "en", "fr", "ar", "fa", "ps", "ur"], "https://www.gcr.gr/"),
    ("P-METADRASI", "ΜΕΤΑδραση", "METAdrasi",
     ["INTERPRETATION", "UNACCOMPANIED_MINORS", "EDUCATION"],
     ["el", "en", "fr", "ar", "fa", "ps", "ur", "ku", "so", "ti", "bn"], "https://metadrasi.org/"),
    ("P-ARSIS", "ΑΡΣΙΣ – Κοινωνική Οργάνωση Υποστήριξης Νέων", "ARSIS – Association for the Social Support of Youth",
     ["UNACCOMPANIED_MINORS", "CHILD_PROTECTION", "LEGAL_AID", "HOUSING"], ["el", "en", "ar", "fa"],
     "https://arsis.gr/"),
    ("P-SOLIDARITY-NOW", "Solidarity Now", "Solidarity Now",
     ["LEGAL_AID", "PSYCHOSOCIAL", "EMPLOYMENT", "GBV"], ["el", "en", "fr", "ar", "fa", "uk"],
     "https://www.solidaritynow.org/"),
    ("P-HIAS", "HIAS Ελλάδας", "HIAS Greece", ["ASYLUM_LEGAL", "GBV"], ["el", "en", "fr", "ar", "fa"],
     "https://hias.org/where/greece/"),
    ("P-CARITAS", "Caritas Hellas", "Caritas Hellas", ["FOOD", "HOUSING", "CASH", "EMPLOYMENT"],
     ["el", "en", "ar", "uk"], "https://caritas.gr/"),
    ("P-RED-CROSS", "Ελληνικός Ερυθρός Σταυρός", "Hellenic Red Cross",
     ["FAMILY_REUNIFICATION", "PRIMARY_CARE", "PSYCHOSOCIAL", "FOOD"], ["el", "en", "fr", "ar"],
     "https://www.redcross.gr/"),
    ("P-MSF", "Γιατροί Χωρίς Σύνορα", "Médecins Sans Frontières (MSF)", ["PRIMARY_CARE", "MENTAL_HEALTH"],
     ["el", "en", "fr", "ar", "fa"], "https://msf.gr/"),
    ("P-IRC", "International Rescue Committee (IRC)", "International Rescue Committee (IRC)",
     ["PSYCHOSOCIAL", "EMPLOYMENT", "LEGAL_AID"], ["el", "en", "ar", "fa", "ps"], "https://www.rescue.org/country/greece"),
    ("P-UNICEF", "UNICEF", "UNICEF", ["CHILD_PROTECTION", "EDUCATION", "UNACCOMPANIED_MINORS"], ["el", "en", "ar", "fa"],
     "https://www.unicef.org/eca/greece"),
    ("P-GFR", "Ελληνικό Φόρουμ Προσφύγων", "Greek Forum of Refugees", ["INTERPRETATION", "PSYCHOSOCIAL"],
     ["el", "en", "ar", "fa", "ps", "so", "ti"], "https://refugees.gr/"),
    ("P-CHILD-RIGHTS", "Δίκτυο για τα Δικαιώματα του Παιδιού", "Network for Children's Rights",
     ["EDUCATION", "CHILD_PROTECTION"], ["el", "en", "ar", "fa"], "https://www.ddp.gr/"),
    ("P-SMILE", "«Το Χαμόγελο του Παιδιού»", "\"The Smile of the Child\"", ["CHILD_PROTECTION", "PSYCHOSOCIAL"],
     ["el", "en"], "https://www.hamogelo.gr/"),
    ("P-DIOTIMA", "Κέντρο Διοτίμα", "Diotima Centre", ["GBV", "LEGAL_AID", "PSYCHOSOCIAL"],
     ["el", "en", "fr", "ar", "fa"], "https://diotima.org.gr/"),
    ("P-MELISSA", "Δίκτυο «Μέλισσα»", "Melissa Network", ["EDUCATION", "PSYCHOSOCIAL", "GBV"],
     ["el", "en", "ar", "fa", "uk"], "https://melissanetwork.org/"),
    ("P-BABEL", "Μονάδα Ημέρας «Βαβέλ»", "Babel Day Centre", ["MENTAL_HEALTH", "PSYCHOSOCIAL"],
     ["el", "en", "fr", "ar", "fa", "ru"], "https://www.babel.gr/"),
    ("P-KLIMAKA", "«Κλίμακα»", "Klimaka", ["MENTAL_HEALTH", "LGBTQI", "HOUSING"], ["el", "en"], "https://www.klimaka.org.gr/"),
    ("P-HLHR", "Ελληνική Ένωση για τα Δικαιώματα του Ανθρώπου", "Hellenic League for Human Rights",
     ["LEGAL_AID"], ["el", "en", "fr"], "https://www.hlhr.gr/"),
    ("P-RLS", "Refugee Legal Support", "Refugee Legal Support", ["ASYLUM_LEGAL", "FAMILY_REUNIFICATION"],
     ["en", "fr", "ar", "fa"], "https://refugeelegalsupport.org/"),
    ("P-EQUAL-RIGHTS", "Equal Rights Beyond Borders", "Equal Rights Beyond Borders",
     ["ASYLUM_LEGAL", "FAMILY_REUNIFICATION"], ["el", "en", "ar", "fa", "de"], "https://equal-rights.org/"),
    ("P-TDH", "Terre des hommes Ελλάδος", "Terre des hommes Hellas", ["CHILD_PROTECTION", "EDUCATION"],
     ["el", "en", "ar", "fa"], "https://www.tdh.gr/"),
    ("P-SOS-VILLAGES", "Παιδικά Χωριά SOS Ελλάδας", "SOS Children's Villages Greece",
     ["CHILD_PROTECTION", "HOUSING"], ["el", "en"], "https://www.sos-villages.gr/"),
    ("P-KMOP", "ΚΜΟΠ – Κέντρο Κοινωνικής Δράσης και Καινοτομίας", "KMOP – Social Action and Innovation Centre",
     ["TRAFFICKING", "GBV", "EMPLOYMENT"], ["el", "en", "ar"], "https://www.kmop.gr/"),
    ("P-ERP", "Οικουμενικό Πρόγραμμα Προσφύγων", "Ecumenical Refugee Program", ["ASYLUM_LEGAL", "PSYCHOSOCIAL"],
     ["el", "en", "fr", "ar"], "https://www.ecumenicalrefugeeprogram.gr/"),
    ("P-DRC", "Danish Refugee Council Ελλάδας", "Danish Refugee Council Greece",
     ["LEGAL_AID", "PSYCHOSOCIAL", "GBV"], ["el", "en", "ar", "fa", "ps"], "https://drc.ngo/greece"),
    ("P-GENERATION20", "Generation 2.0 για Δικαιώματα, Ισότητα και Διαφορετικότητα",
     "Generation 2.0 for Rights, Equality & Diversity", ["EMPLOYMENT", "LEGAL_AID", "EDUCATION"],
     ["el", "en", "fr", "ar", "ur", "bn"], "https://g2red.org/"),
    ("P-EMFASIS", "Ίδρυμα Εμφασις", "Emfasis Foundation", ["PSYCHOSOCIAL", "FOOD", "HOUSING"], ["el", "en"],
     "https://emfasis.org/"),
    ("P-ZAATAR", "Orange House (Zaatar)", "Orange House (Zaatar)", ["GBV", "EDUCATION", "HOUSING"],
     ["el", "en", "ar", "fa", "fr"], "https://zaatarngo.org/"),
    ("P-MEDIN", "Ιατρική Παρέμβαση (MED-IN)", "Medical Intervention (MED-IN)", ["PRIMARY_CARE", "PSYCHOSOCIAL"],
     ["el", "en", "ar", "fa"], "https://www.medin.gr/"),
]

for _code, _el, _en, _services, _languages, _website in PARTNERS:
    STRUCTURES.append({
        "code": _code, "kind": "partner", "parent": None, "confidential": False,
        "name_el": _el, "name_en": _en, "services": service_entries(_services),
        "partner": {"language_codes": _languages, "website": _website},
    })
