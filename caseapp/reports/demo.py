"""Demo data at believable scale (`flask demo load --size small|large`).

People with names in their own script and in Latin letters, a nationality and legal-status
mix like the city's, case files over the last twelve months (some people at two
structures, through an accepted referral; some referred to partner organisations) and
interpretation requests, so that every section of the monthly report
has data. `large` reaches the city's size (about 26,000 people served a month).

Rows are written in batches with the ORM: what costs is the encryption of each person
(a data key of their own, wrapped under the root key, and each name sealed under it),
about a fifth of a millisecond per person; `generate` reports progress per batch.
"""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from caseapp.beneficiaries.models import Beneficiary
from caseapp.beneficiaries.references import ALPHABET, check_symbol, format_reference
from caseapp.casefiles.models import CLOSED, OPEN, CaseFile, CaseFilePeriod
from caseapp.dates import local_today, local_zone
from caseapp.extensions import db
from caseapp.security.key_models import DataKey

# (people, interpretation requests per 100 people served and month)
SIZES = {"small": (400, 10), "large": (40_000, 10)}
BATCH = 1000

# Where people are served (weights) and who may be served there.
STRUCTURE_WEIGHTS = {"KEM": 30, "KYADA": 22, "DIS-PROG": 8, "SHELTER-W": 3, "GBV-CC": 4, "SHELTER-ADD": 6,
                     "CLINICS": 15, "OSN": 12}
SECOND_FILE_RATE = 0.12

# nationality: weight, languages, legal statuses (weights), names
# names: (female given, male given, family) each a list of (native script, Latin)
NATIONALITIES = {
    "AF": (17, ["fa", "ps"], {"asylum_seeker": 40, "refugee": 35, "subsidiary_protection": 12, "undocumented": 8,
                              "unknown": 5},
           ([("زهرا", "Zahra"), ("فاطمه", "Fatemeh"), ("مریم", "Maryam"), ("شکیلا", "Shakila")],
            [("احمد", "Ahmad"), ("محمد", "Mohammad"), ("علی", "Ali"), ("مرتضی", "Morteza"), ("جاوید", "Javid")],
            [("رحیمی", "Rahimi"), ("احمدی", "Ahmadi"), ("حسینی", "Hosseini"), ("کریمی", "Karimi"),
             ("نوری", "Nouri")])),
    "SY": (14, ["ar", "ku"], {"refugee": 55, "asylum_seeker": 30, "subsidiary_protection": 10, "unknown": 5},
           ([("أمينة", "Amina"), ("فاطمة", "Fatima"), ("رنا", "Rana"), ("ليلى", "Layla")],
            [("محمد", "Mohammad"), ("أحمد", "Ahmad"), ("خالد", "Khaled"), ("يوسف", "Yusuf"), ("عمر", "Omar")],
            [("حداد", "Haddad"), ("الأحمد", "Al-Ahmad"), ("خليل", "Khalil"), ("حسن", "Hassan"), ("نجار", "Najjar")])),
    "GR": (14, ["el"], {"greek_citizen": 100},
           ([("Ελένη", "Eleni"), ("Μαρία", "Maria"), ("Κατερίνα", "Katerina"), ("Δήμητρα", "Dimitra")],
            [("Γιώργος", "Giorgos"), ("Νίκος", "Nikos"), ("Κώστας", "Kostas"), ("Γιάννης", "Giannis")],
            [("Παπαδόπουλος", "Papadopoulos"), ("Οικονόμου", "Oikonomou"), ("Γεωργίου", "Georgiou"),
             ("Νικολάου", "Nikolaou"), ("Δημητρίου", "Dimitriou")])),
    "PK": (8, ["ur", "en"], {"asylum_seeker": 55, "residence_permit": 15, "undocumented": 20, "unknown": 10},
           ([("عائشہ", "Ayesha"), ("صائمہ", "Saima")],
            [("عمران", "Imran"), ("بلال", "Bilal"), ("عثمان", "Usman"), ("حسن", "Hassan")],
            [("خان", "Khan"), ("احمد", "Ahmed"), ("چوہدری", "Chaudhry"), ("بٹ", "Butt")])),
    "IQ": (7, ["ar", "ku"], {"asylum_seeker": 45, "refugee": 35, "subsidiary_protection": 10, "unknown": 10},
           ([("زينب", "Zainab"), ("شیلان", "Shilan"), ("نور", "Noor")],
            [("حسين", "Hussein"), ("كاوە", "Kawa"), ("علي", "Ali"), ("آزاد", "Azad")],
            [("الجبوري", "Al-Jubouri"), ("عبدالله", "Abdullah"), ("بارزاني", "Barzani"), ("كريم", "Karim")])),
    "UA": (7, ["uk", "ru"], {"humanitarian": 85, "residence_permit": 10, "unknown": 5},
           ([("Олена", "Olena"), ("Ірина", "Iryna"), ("Наталія", "Nataliia"), ("Оксана", "Oksana")],
            [("Андрій", "Andrii"), ("Олександр", "Oleksandr"), ("Сергій", "Serhii")],
            [("Шевченко", "Shevchenko"), ("Коваленко", "Kovalenko"), ("Бондаренко", "Bondarenko"),
             ("Мельник", "Melnyk")])),
    "AL": (5, ["sq", "el"], {"residence_permit": 80, "eu_citizen": 0, "other": 10, "unknown": 10},
           ([("Ardita", "Ardita"), ("Elira", "Elira")], [("Arben", "Arben"), ("Gentian", "Gentian")],
            [("Hoxha", "Hoxha"), ("Shehu", "Shehu"), ("Leka", "Leka")])),
    "BD": (4, ["bn", "en"], {"asylum_seeker": 50, "residence_permit": 25, "undocumented": 25},
           ([("ফাতেমা", "Fatema"), ("নাসরিন", "Nasrin")], [("রহিম", "Rahim"), ("করিম", "Karim"), ("সাকিব", "Sakib")],
            [("হোসেন", "Hossain"), ("রহমান", "Rahman"), ("ইসলাম", "Islam")])),
    "IR": (3, ["fa"], {"asylum_seeker": 50, "refugee": 40, "unknown": 10},
           ([("نگار", "Negar"), ("سارا", "Sara")], [("رضا", "Reza"), ("امیر", "Amir")],
            [("رضایی", "Rezaei"), ("محمدی", "Mohammadi"), ("موسوی", "Mousavi")])),
    "SO": (3, ["so", "ar"], {"asylum_seeker": 50, "refugee": 40, "unknown": 10},
           ([("Hodan", "Hodan"), ("Amina", "Amina")], [("Abdi", "Abdi"), ("Mohamed", "Mohamed")],
            [("Warsame", "Warsame"), ("Farah", "Farah"), ("Hassan", "Hassan")])),
    "CD": (3, ["fr", "ln"], {"asylum_seeker": 55, "refugee": 30, "subsidiary_protection": 15},
           ([("Grâce", "Grace"), ("Esther", "Esther")], [("Joseph", "Joseph"), ("Patrick", "Patrick")],
            [("Kabongo", "Kabongo"), ("Kabila", "Kabila"), ("Ilunga", "Ilunga"), ("Tshibanda", "Tshibanda")])),
    "EG": (3, ["ar"], {"residence_permit": 50, "asylum_seeker": 30, "undocumented": 20},
           ([("منى", "Mona"), ("هبة", "Heba")], [("مصطفى", "Mostafa"), ("محمود", "Mahmoud")],
            [("عبد الرحمن", "Abdelrahman"), ("السيد", "El-Sayed"), ("فهمي", "Fahmy")])),
    "ER": (2, ["ti", "ar"], {"asylum_seeker": 50, "refugee": 50},
           ([("ሰላም", "Selam"), ("ሄለን", "Helen")], [("ዳዊት", "Dawit"), ("ተስፋይ", "Tesfay")],
            [("ገብረመድህን", "Gebremedhin"), ("ተኽለ", "Tekle")])),
    "PS": (2, ["ar"], {"refugee": 50, "asylum_seeker": 40, "unknown": 10},
           ([("سلمى", "Salma")], [("أنس", "Anas"), ("سامي", "Sami")], [("عودة", "Odeh"), ("نصار", "Nassar")])),
    "NG": (2, ["en"], {"asylum_seeker": 50, "residence_permit": 30, "undocumented": 20},
           ([("Chioma", "Chioma"), ("Blessing", "Blessing")], [("Emeka", "Emeka"), ("Tunde", "Tunde")],
            [("Okafor", "Okafor"), ("Adeyemi", "Adeyemi")])),
    "TR": (2, ["tr", "ku"], {"asylum_seeker": 60, "refugee": 30, "unknown": 10},
           ([("Zeynep", "Zeynep"), ("Rojda", "Rojda")], [("Mehmet", "Mehmet"), ("Baran", "Baran")],
            [("Yılmaz", "Yilmaz"), ("Demir", "Demir"), ("Kaya", "Kaya")])),
    "RO": (1, ["ro"], {"eu_citizen": 100},
           ([("Ioana", "Ioana")], [("Andrei", "Andrei")], [("Popescu", "Popescu"), ("Ionescu", "Ionescu")])),
    "GE": (1, ["ka", "ru"], {"residence_permit": 60, "undocumented": 40},
           ([("ნინო", "Nino")], [("გიორგი", "Giorgi")], [("ბერიძე", "Beridze"), ("კაპანაძე", "Kapanadze")])),
}
VULNERABILITY_RATES = {"single_parent": 0.08, "chronic_illness": 0.07, "disability": 0.05, "mental_health": 0.05,
                       "homeless": 0.06, "pregnant": 0.02, "elderly": 0.03, "torture_survivor": 0.02,
                       "trafficking_survivor": 0.01, "substance_use": 0.02}
INTERPRETED = {"fa": "fa", "ps": "ps", "ar": "ar", "ur": "ur", "ku": "ku", "uk": "uk", "bn": "bn", "so": "so",
               "fr": "fr", "ti": "ti", "tr": "tr"}
MODES = (("in_person", 60), ("phone", 30), ("video", 10))
PURPOSES = ("clinic", "asylum_service", "legal_counselling", "psychosocial_counselling", "social_service")


@dataclass
class Person:
    """What a generated person is made of (before it becomes rows)."""

    nationality: str
    sex: str
    birth_year: int
    legal_status: str
    languages: list[str]
    vulnerabilities: list[str]
    given: str
    family: str


def _weighted(rng: random.Random, weights: dict):
    keys = [k for k, w in weights.items() if w > 0]
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def make_person(rng: random.Random, today: date) -> Person:
    nationality = rng.choices(list(NATIONALITIES), weights=[v[0] for v in NATIONALITIES.values()])[0]
    _weight, langs, statuses, (female, male, families) = NATIONALITIES[nationality]
    sex = rng.choices(("female", "male", "other", "unknown"),
                      weights=(55, 45, 1, 1) if nationality in ("GR", "UA") else (40, 60, 1, 1))[0]
    age = min(95, max(0, int(rng.gauss(33, 15))))
    vulnerabilities = [code for code, rate in VULNERABILITY_RATES.items() if rng.random() < rate]
    if sex == "female" and rng.random() < 0.06:
        vulnerabilities.append("gbv_survivor")
    if age < 18 and rng.random() < 0.2:
        vulnerabilities.append("unaccompanied_minor")
    given = rng.choice(female if sex == "female" else male if sex == "male" else female + male)
    family = rng.choice(families)
    script = 0 if rng.random() < 0.5 else 1  # in their own script or in Latin letters
    return Person(nationality, sex, today.year - age, _weighted(rng, statuses), list(langs), sorted(set(vulnerabilities)),
                  given[script], family[script])


def _reference(rng: random.Random, year: int, taken: set[str]) -> str:
    while True:
        payload = f"{year % 100:02d}" + "".join(rng.choice(ALPHABET) for _ in range(5))
        reference = format_reference(payload + check_symbol(payload))
        if reference not in taken:
            taken.add(reference)
            return reference


def _periods(rng: random.Random, start: date, today: date) -> list[tuple[date, date | None]]:
    """One or two stretches from `start`: most files stay open for months."""
    periods, opened = [], start
    while opened <= today and len(periods) < 2:
        length = int(rng.expovariate(1 / 220))
        closed = opened + timedelta(days=length)
        if closed >= today:
            periods.append((opened, None))
            break
        periods.append((opened, closed))
        opened = closed + timedelta(days=30 + rng.randrange(120))
    return periods


def _at(day: date, rng: random.Random) -> datetime:
    local = datetime.combine(day, time(8 + rng.randrange(9), rng.choice((0, 15, 30, 45))), tzinfo=local_zone())
    return local.astimezone(timezone.utc)


def generate(count: int, *, structures: dict, staff: dict, rng: random.Random, today: date | None = None,
             interpretation_rate: int = 6, interpreters=(), progress=None, expunge: bool = True,
             services: dict | None = None, partner_services=()) -> dict:
    """Write `count` people with case files over the last twelve months (and before, for
    some), and interpretation requests for about `interpretation_rate` in 100 of them a month.

    `structures`: ``{code: Structure}`` among `STRUCTURE_WEIGHTS`; `staff`: ``{structure id:
    [User]}`` who register and are assigned files there (a structure without staff is left
    out); `interpreters`: Interpreter rows for the booked requests; `services`: ``{structure id:
    service id}`` to refer people to (a person with a second file was referred there and accepted)
    and `partner_services`: ``[(partner id, service id)]`` (about 4 in 100 people are referred to
    a partner). `progress(n)` after each batch of n people. Returns ``{"people": int,
    "case_files": int, "interpretation": int, "referrals": int}``.
    """
    from caseapp.interpretation.models import InterpretationRequest

    today = today or local_today()
    weights = {structures[c].id: w for c, w in STRUCTURE_WEIGHTS.items() if c in structures
               and staff.get(structures[c].id)}
    if not weights:
        raise ValueError("no structure with staff to serve people")
    taken = set(db.session.execute(select(Beneficiary.reference)).scalars())
    earliest = today - timedelta(days=760)
    totals = {"people": 0, "case_files": 0, "interpretation": 0, "referrals": 0}
    services = services or {}
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        for _ in range(size):
            person = make_person(rng, today)
            first = earliest + timedelta(days=int((today - earliest).days * rng.random() ** 0.8))
            home = _weighted(rng, weights)
            places = [home]
            if rng.random() < SECOND_FILE_RATE:
                other = _weighted(rng, weights)
                if other != home:
                    places.append(other)
            registrar = rng.choice(staff[home])
            created = _at(first, rng)
            beneficiary = Beneficiary(
                id=uuid.uuid4(), reference=_reference(rng, first.year, taken), data_key=DataKey.create(),
                registered_structure_id=home, registered_by_id=registrar.id, created_at=created,
                sex=person.sex, birth_year=person.birth_year, nationality=person.nationality,
                legal_status=person.legal_status)
            beneficiary.language_codes = person.languages
            beneficiary.vulnerability_codes = person.vulnerabilities
            beneficiary.given_name = person.given
            beneficiary.family_name = person.family
            db.session.add(beneficiary)
            for index, structure_id in enumerate(places):
                start = first if index == 0 else first + timedelta(days=rng.randrange(1, 90))
                if start > today:
                    continue
                periods = _periods(rng, start, today)
                still_open = periods[-1][1] is None
                case_file = CaseFile(id=uuid.uuid4(), beneficiary=beneficiary, structure_id=structure_id,
                                     status=OPEN if still_open else CLOSED, opened_at=_at(start, rng),
                                     opened_by_id=registrar.id, assigned_to_id=rng.choice(staff[structure_id]).id,
                                     closed_at=None if still_open else _at(periods[-1][1], rng),
                                     close_reason=None if still_open else rng.choice(
                                         ("goals_met", "referred", "moved_away", "lost_contact")))
                case_file.periods = [CaseFilePeriod(opened_on=o, closed_on=c) for o, c in periods]
                db.session.add(case_file)
                if index == 0:
                    home_file = case_file
                elif structure_id in services:  # they came through an accepted referral
                    totals["referrals"] += _referral(rng, beneficiary, home_file, structure_id, services[structure_id],
                                                     start, today, case_file, registrar)
                if index == 0 and partner_services and rng.random() < 0.04:
                    partner, service_id = rng.choice(partner_services)
                    sent = start + timedelta(days=rng.randrange(0, 60))
                    if sent <= today:
                        totals["referrals"] += _referral(rng, beneficiary, case_file, partner, service_id, sent, today,
                                                         None, registrar)
                totals["case_files"] += 1
                spoken = [INTERPRETED[c] for c in person.languages if c in INTERPRETED]
                if spoken and interpreters:
                    totals["interpretation"] += _requests(rng, beneficiary.id, case_file, periods, spoken[0], interpretation_rate,
                                                          interpreters, today, InterpretationRequest)
        db.session.flush()
        if expunge:  # keeps memory flat at large sizes (the caller's objects are detached too)
            db.session.expunge_all()
        done += size
        totals["people"] += size
        if progress:
            progress(size)
    return totals


def _referral(rng, beneficiary, case_file, to_id, service_id, day, today, receiving, actor) -> int:
    """One referral from `case_file`'s structure: accepted (and perhaps completed) when `receiving`
    is the file it opened on `day`; to a partner, answered for it or still waiting."""
    from caseapp.referrals.models import Referral

    if receiving is not None:
        sent_on = day - timedelta(days=rng.randrange(1, 10))
        status = "completed" if rng.random() < 0.4 else "accepted"
        answered_on = day
    else:
        sent_on = day
        status = _weighted(rng, {"accepted": 40, "declined": 20, "completed": 20, "sent": 20})
        answered_on = None if status == "sent" else min(today, day + timedelta(days=rng.randrange(0, 15)))
    referral = Referral(
        id=uuid.uuid4(), beneficiary=beneficiary, case_file_id=case_file.id, from_structure_id=case_file.structure_id,
        to_structure_id=to_id, service_id=service_id, receiving_case_file_id=receiving.id if receiving else None,
        status=status, urgency=_weighted(rng, {"routine": 80, "urgent": 17, "emergency": 3}),
        due_on=sent_on + timedelta(days=14), sent_on=sent_on, answered_on=answered_on,
        days_to_answer=(answered_on - sent_on).days if answered_on else None,
        created_at=_at(sent_on, rng), created_by_id=actor.id, sent_at=_at(sent_on, rng), sent_by_id=actor.id,
        answered_at=_at(answered_on, rng) if answered_on else None,
        answered_for_partner=receiving is None and answered_on is not None,
        answer_channel=("phone" if receiving is None and answered_on else None),
        closed_at=_at(answered_on, rng) if status in ("completed", "declined") else None)
    referral.reason = "Demo referral"
    db.session.add(referral)
    return 1


def _requests(rng, beneficiary_id, case_file, periods, language, rate, interpreters, today, model) -> int:
    made = 0
    for opened, closed in periods:
        day = opened
        end = min(closed or today + timedelta(days=20), today + timedelta(days=20))
        while day <= end:
            if rng.random() < rate / 100:
                starts = _at(day, rng)
                duration = rng.choice((30, 60, 90))
                past = day < today
                status = _weighted(rng, {"completed": 75, "no_show": 10, "cancelled": 15}) if past \
                    else "requested"  # booking the future ones is the interpreters' desk's job
                booked = status in ("assigned", "confirmed", "completed", "no_show")
                db.session.add(model(
                    beneficiary_id=beneficiary_id, case_file_id=case_file.id,
                    structure_id=case_file.structure_id, caseworker_id=case_file.assigned_to_id, status=status,
                    language=language, mode=_weighted(rng, dict(MODES)), purpose=rng.choice(PURPOSES),
                    escort=rng.random() < 0.2, starts_at=starts, duration_minutes=duration, busy_from=starts,
                    busy_until=starts + timedelta(minutes=duration),
                    interpreter_id=rng.choice(interpreters).id if booked else None,
                    delivered_minutes=duration + rng.choice((-15, 0, 0, 15)) if status == "completed" else None))
                made += 1
            day += timedelta(days=30)
    return made


# Demo caseworkers per structure (login: structure code in lower case + number), so the
# caseload table has several people.
STAFF_PER_STRUCTURE = {"small": 2, "large": 6}
ALREADY_LOADED = 100  # people: a database holding more has had its scale demo


def load_scale_demo(size: str, *, progress=None, seed: int = 2026) -> dict | None:
    """Add the `size` ("small" or "large") data set to a database that has the demo users and
    interpreters (caseapp/demo.py); None if it already holds more than a few people.
    `progress(n)` as people are written."""
    from caseapp.auth import service as auth_service
    from caseapp.auth.models import User
    from caseapp.demo import DEMO_PASSWORD
    from caseapp.interpretation.models import Interpreter
    from caseapp.structures.models import Structure

    people, rate = SIZES[size]
    if db.session.execute(select(db.func.count()).select_from(Beneficiary)).scalar_one() > ALREADY_LOADED:
        return None
    structures = {s.code: s for s in db.session.execute(
        select(Structure).where(Structure.code.in_(list(STRUCTURE_WEIGHTS)))).scalars()}
    staff: dict[int, list] = {}
    for code, structure in structures.items():
        members = []
        for n in range(1, STAFF_PER_STRUCTURE[size] + 1):
            username = f"{code.lower()}-{n}"
            user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
            if user is None:
                user = auth_service.create_user(username=username, display_name=f"{code} caseworker {n}",
                                                role="caseworker", password=DEMO_PASSWORD, structure_codes=[code])
            members.append(user)
        staff[structure.id] = members
    db.session.flush()
    interpreters = list(db.session.execute(select(Interpreter)).scalars())
    services, partner_services = demo_services(structures)
    return generate(people, structures=structures, staff=staff, rng=random.Random(seed), interpretation_rate=rate,
                    interpreters=interpreters, progress=progress, services=services,
                    partner_services=partner_services)


def demo_services(structures: dict):
    """(``{structure id: first service id}`` for `structures`, ``[(partner id, service id)]``)."""
    from caseapp.structures.models import Service, Structure, StructureKind

    rows = db.session.execute(select(Service.structure_id, Service.id, Structure.kind)
                              .join(Structure, Structure.id == Service.structure_id)
                              .order_by(Service.structure_id, Service.code)).all()
    wanted = {s.id for s in structures.values()}
    services, partners = {}, []
    for structure_id, service_id, kind in rows:
        if structure_id in wanted:
            services.setdefault(structure_id, service_id)
        elif kind == StructureKind.PARTNER and all(p != structure_id for p, _s in partners):
            partners.append((structure_id, service_id))
    return services, partners
