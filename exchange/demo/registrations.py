"""Synthetic participants and registrations for the demo database (never real people).

Registrations follow the rules, as if every school had used the app: one per participant and
exchange; places first come, first served within the capacity and each institution's quota, the
rest on the waiting list; pupils of the exchange's age range with accompanying adults (one per
``minors_per_adult``); a parent's consent, given before registration opened, for every minor;
statuses that match the exchange's (attended or no-show once completed, cancelled with it,
confirmed or waiting while registration is open or closed).

Participants are created for the exchange they first go to and often come back for another one
of their institution later (half of them, at ``scale``), which keeps their age right: ages are
on the exchange's first day. Rows are written with Core ``insert()`` executemany, a batch of
exchanges at a time, with participant ids handed out here.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from exchange.db import table_of
from exchange.demo.bulk import Progress, fix_sequences, full_rows, next_id
from exchange.exchanges.models import (
    Exchange,
    ExchangeKind,
    ExchangeStatus,
    Profession,
    exchange_partner,
)
from exchange.partners.models import Institution, PartnerCity
from exchange.registrations.models import (
    ADULT_AGE,
    ConsentMethod,
    ConsentRecord,
    Gender,
    Participant,
    ParticipantRole,
    Registration,
    RegistrationStatus,
    age_on,
    name_key,
    search_names,
)

FIRST_NAMES = {
    Gender.FEMALE: ("Anna", "Zofia", "Maja", "Julia", "Lena", "Aino", "Emma", "Sofia", "Olha"),
    Gender.MALE: ("Jan", "Antoni", "Kacper", "Szymon", "Leon", "Eero", "Lukas", "Noah", "Taras"),
}
LAST_NAMES = (
    "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński",
    "Szymański", "Dąbrowski", "Kozłowski", "Virtanen", "Martin", "Müller", "Johnson", "Kovalenko",
)  # fmt: skip
GENDERS = (Gender.FEMALE, Gender.MALE, Gender.FEMALE, Gender.MALE, Gender.OTHER)
#: the participants of each kind of exchange: (role, youngest, oldest); None: the exchange's ages
PEOPLE = {
    ExchangeKind.YOUTH: (ParticipantRole.PUPIL, None, None),
    ExchangeKind.COUNCILLORS: (ParticipantRole.COUNCILLOR, 25, 70),
    ExchangeKind.ARTISTIC: (ParticipantRole.ARTIST, 16, 50),
    ExchangeKind.SPORTS: (ParticipantRole.ATHLETE, None, None),
    ExchangeKind.TRADE_FAIR: (ParticipantRole.EXHIBITOR, 25, 65),
}
PROFESSIONALS = {
    Profession.DOCTORS: ParticipantRole.DOCTOR,
    Profession.TEACHERS: ParticipantRole.TEACHER,
    Profession.OTHER: ParticipantRole.STAFF,
}
#: the accompanying adults of groups with minors
CHAPERONES = {
    ExchangeKind.YOUTH: ParticipantRole.TEACHER,
    ExchangeKind.SPORTS: ParticipantRole.STAFF,
}
#: exchanges written per batch (and per step of the progress bar)
BATCH = 200
#: how many of a registration's people come back from an earlier exchange (quick demo / scale)
COME_BACK = (0.3, 0.66)
#: the people of an institution and role who may come back: the most recent ones
RECENT = 60


#: the languages people of a country speak (and English, often)
LANGUAGES = {"PL": "pl", "DE": "de", "FR": "fr", "UA": "uk", "FI": "fi", "LT": "lt", "RU": "ru"}
#: (diet, share of people who need it)
DIETS = (("vegetarian", 0.1), ("vegan", 0.03), ("gluten_free", 0.03), ("halal", 0.02))


def _needs(person_id: int, country: str) -> dict:
    """What a host family must know of a person: languages, diets, an allergy to animals. A
    random generator of the person's own, so the rest of the demo stays as it was."""
    rng = random.Random(person_id)  # noqa: S311  (demo data, deterministic on purpose)
    languages = {LANGUAGES.get(country, "en")}
    if rng.random() < 0.7:
        languages.add("en")
    diets = [diet for diet, share in DIETS if rng.random() < share]
    return {
        "languages": ",".join(sorted(languages)),
        "diets": ",".join(diets[:1]),
        "allergic_to_animals": rng.random() < 0.08,
    }


def _exchanges(session: Session) -> list[sa.Row]:
    """The exchanges that take registrations, in the order their registration opened."""
    already = sa.select(Registration.exchange_id).distinct()
    return list(
        session.execute(
            sa.select(
                Exchange.id,
                Exchange.kind,
                Exchange.status,
                Exchange.profession,
                Exchange.start_date,
                Exchange.capacity,
                Exchange.institution_quota,
                Exchange.min_age,
                Exchange.max_age,
                Exchange.minors_per_adult,
                Exchange.registration_opens,
                Exchange.registration_closes,
                Exchange.cancelled_at,
                Exchange.olsztyn_institution_id,
                Exchange.partner_institution_id,
            )
            .where(
                Exchange.status.not_in((ExchangeStatus.DRAFT, ExchangeStatus.PLANNED)),
                Exchange.id.not_in(already),  # a second run (--append) leaves them alone
            )
            .order_by(Exchange.registration_opens, Exchange.id)
        )
    )


class _Generator:
    def __init__(self, session: Session, rng: random.Random, today: date, scale: float | None):
        self.session = session
        self.rng = rng
        self.today = today
        self.scale = scale
        self.come_back = COME_BACK[1] if scale else COME_BACK[0]
        self.next_participant = next_id(session, table_of(Participant))
        #: institution id → (kind, partner city id, country)
        self.institutions = {
            row.id: row
            for row in session.execute(
                sa.select(
                    Institution.id,
                    Institution.kind,
                    Institution.partner_city_id,
                    sa.func.coalesce(PartnerCity.country, "PL").label("country"),
                ).outerjoin(PartnerCity, PartnerCity.id == Institution.partner_city_id)
            )
        }
        #: (partner city id or None, kind) → institution ids
        self.by_side: dict[tuple, list[int]] = defaultdict(list)
        for row in self.institutions.values():
            self.by_side[(row.partner_city_id, row.kind)].append(row.id)
        for ids in self.by_side.values():
            ids.sort()
        self.partners: dict[int, list[int]] = defaultdict(list)
        for exchange_id, partner_id in session.execute(
            sa.select(exchange_partner.c.exchange_id, exchange_partner.c.partner_city_id).order_by(
                exchange_partner.c.exchange_id, exchange_partner.c.partner_city_id
            )
        ):
            self.partners[exchange_id].append(partner_id)
        #: (institution id, role) → [(participant id, date of birth)] of recent participants
        self.recent: dict[tuple, list[tuple[int, date]]] = defaultdict(list)
        self.consented: set[int] = set()
        self.people: list[dict] = []
        self.consents: list[dict] = []
        self.registrations: list[dict] = []
        self.counts = {"participants": 0, "consents": 0, "registrations": 0}

    # --- people ---------------------------------------------------------------------------

    def _senders(self, exchange: sa.Row) -> list[int]:
        """The institutions that send people: the two organising ones and, for the larger
        groups of the scale data, others of their kind on both sides."""
        senders = [
            i
            for i in (exchange.olsztyn_institution_id, exchange.partner_institution_id)
            if i is not None
        ]
        if self.scale and senders and exchange.capacity:
            kind = self.institutions[senders[0]].kind
            pool = [
                i
                for city in (None, *self.partners[exchange.id])
                for i in self.by_side[(city, kind)]
                if i not in senders
            ]
            wanted = min(len(pool), exchange.capacity // 12)
            senders += self.rng.sample(pool, wanted)
        return senders

    def _new_person(
        self, institution_id: int, role: ParticipantRole, age: int, start: date, opens: date
    ) -> tuple[int, date]:
        rng = self.rng
        born = date(start.year - age, start.month, start.day) - timedelta(days=rng.randint(1, 364))
        gender = rng.choice(GENDERS)
        first = rng.choice(FIRST_NAMES.get(gender) or FIRST_NAMES[Gender.FEMALE])
        last = rng.choice(LAST_NAMES)
        minor = age < ADULT_AGE
        guardian = f"{rng.choice(FIRST_NAMES[Gender.FEMALE])} {last}" if minor else ""
        person_id = self.next_participant
        self.next_participant += 1
        created = datetime.combine(opens, time(8), tzinfo=UTC)
        self.people.append(
            {
                "id": person_id,
                "first_name": first,
                "last_name": last,
                "name_key": name_key(first, last),  # a bulk insert passes by the model's @validates
                "search_last_first": search_names(first, last)[0],
                "search_first_last": search_names(first, last)[1],
                "date_of_birth": born,
                "gender": gender,
                "country": self.institutions[institution_id].country,
                "institution_id": institution_id,
                "role": role,
                "email": "" if minor else f"{first}.{last}.{person_id}@example.org".lower(),
                "emergency_contact_name": guardian,
                "emergency_contact_phone": (
                    f"+48 600 {rng.randint(100, 999)} {rng.randint(100, 999)}" if minor else ""
                ),
                "dietary_notes": rng.choice(("", "", "", "vegetarian", "no nuts")),
                **_needs(person_id, self.institutions[institution_id].country),
                "created_at": created,
                "updated_at": created,
            }
        )
        if minor:
            # given before registration for their first exchange opened, so for every later one
            given = opens - timedelta(days=rng.randint(1, 60))
            self.consented.add(person_id)
            self.consents.append(
                {
                    "participant_id": person_id,
                    "guardian_name": guardian,
                    "given_on": given,
                    "method": rng.choice(list(ConsentMethod)),
                    "text_version": "2026-01",
                    "recorded_at": datetime.combine(given, time(12), tzinfo=UTC),
                }
            )
        self.recent[(institution_id, role)].append((person_id, born))
        del self.recent[(institution_id, role)][:-RECENT]
        return person_id, born

    def _person(
        self,
        institution_id: int,
        role: ParticipantRole,
        ages: tuple[int, int],
        exchange: sa.Row,
        opens: date,
        taken: set[int],
    ) -> int:
        """Someone of the institution in the age range: back from an earlier exchange, or new."""
        start = exchange.start_date
        if self.rng.random() < self.come_back:
            recent = self.recent[(institution_id, role)]
            for _ in range(3):
                if not recent:
                    break
                person_id, born = self.rng.choice(recent)
                age = age_on(born, start)
                # a minor needs a consent: someone who was an adult at an exchange that starts
                # later (but opened registration earlier) has none
                minor_without = age < ADULT_AGE and person_id not in self.consented
                if person_id not in taken and ages[0] <= age <= ages[1] and not minor_without:
                    return person_id
        person_id, _born = self._new_person(
            institution_id, role, self.rng.randint(*ages), start, opens
        )
        return person_id

    # --- registrations --------------------------------------------------------------------

    def _window(self, exchange: sa.Row) -> tuple[date, date] | None:
        """The days registrations were made on: in the window, and not after today or the
        cancellation."""
        opens = exchange.registration_opens or exchange.start_date - timedelta(days=90)
        last = min(exchange.registration_closes or exchange.start_date, self.today)
        if exchange.cancelled_at is not None:
            last = min(last, exchange.cancelled_at.date() - timedelta(days=1))
        return (opens, last) if opens <= last else None

    def add(self, exchange: sa.Row) -> None:
        rng = self.rng
        senders = self._senders(exchange)
        window = self._window(exchange)
        if not senders or window is None:
            return
        opens, last = window
        capacity = exchange.capacity
        if self.scale and capacity:
            count = round(capacity * rng.uniform(0.75, 1.4))
        else:
            count = rng.randint(8, 30)
        youngest: int | None
        oldest: int | None
        if exchange.kind is ExchangeKind.PROFESSIONAL:
            role, youngest, oldest = PROFESSIONALS[exchange.profession], 25, 62
        else:
            role, youngest, oldest = PEOPLE[exchange.kind]
        ages = (
            youngest if youngest is not None else exchange.min_age or 12,
            oldest if oldest is not None else exchange.max_age or 17,
        )
        chaperone = CHAPERONES.get(exchange.kind)
        ratio = exchange.minors_per_adult or 10

        # between 7:00 (UTC) on the first day and 7:00 on the last: never later than today
        seconds = (last - opens).days * 86400 + 1
        moments = sorted(
            datetime.combine(opens, time(7), tzinfo=UTC) + timedelta(seconds=rng.randrange(seconds))
            for _ in range(count)
        )
        taken: set[int] = set()
        per_institution: dict[int, int] = defaultdict(int)
        held: dict[int, int] = defaultdict(int)
        holding = 0
        status = exchange.status
        for moment in moments:
            institution_id = rng.choice(senders)
            per_institution[institution_id] += 1
            if chaperone and per_institution[institution_id] % (ratio + 1) == 1:
                person = self._person(institution_id, chaperone, (25, 62), exchange, opens, taken)
            else:
                person = self._person(institution_id, role, ages, exchange, opens, taken)
            taken.add(person)
            changed = moment
            quota = exchange.institution_quota
            if status is ExchangeStatus.COMPLETED and rng.random() < 0.04:
                outcome = RegistrationStatus.WITHDRAWN  # and their place went to the next
                changed = moment + timedelta(hours=rng.randint(1, 72))
            elif (capacity is None or holding < capacity) and (
                quota is None or held[institution_id] < quota
            ):
                holding += 1
                held[institution_id] += 1
                outcome = RegistrationStatus.CONFIRMED
            else:
                outcome = RegistrationStatus.WAITLISTED
            if status is ExchangeStatus.CANCELLED:
                outcome, changed = RegistrationStatus.CANCELLED, exchange.cancelled_at
            elif status is ExchangeStatus.COMPLETED and outcome is not RegistrationStatus.WITHDRAWN:
                if outcome is RegistrationStatus.WAITLISTED:
                    outcome = RegistrationStatus.WITHDRAWN  # nobody left, the exchange is over
                else:
                    outcome = (
                        RegistrationStatus.ATTENDED
                        if rng.random() < 0.93
                        else RegistrationStatus.NO_SHOW
                    )
                changed = datetime.combine(exchange.start_date, time(18), tzinfo=UTC)
            self.registrations.append(
                {
                    "exchange_id": exchange.id,
                    "participant_id": person,
                    "institution_id": institution_id,
                    "status": outcome,
                    "registered_by_id": None,
                    "registered_at": moment,
                    "status_changed_by_id": None,
                    "status_changed_at": changed,
                }
            )

    def write(self) -> None:
        """Insert what was generated so far (people first: registrations refer to them)."""
        session = self.session
        if self.people:
            table = table_of(Participant)
            now = self.people[0]["created_at"]
            session.execute(sa.insert(table), full_rows(table, self.people, now))
        if self.consents:
            table = table_of(ConsentRecord)
            session.execute(sa.insert(table), full_rows(table, self.consents, None))
        if self.registrations:
            session.execute(sa.insert(table_of(Registration)), self.registrations)
        self.counts["participants"] += len(self.people)
        self.counts["consents"] += len(self.consents)
        self.counts["registrations"] += len(self.registrations)
        self.people, self.consents, self.registrations = [], [], []


def count_exchanges(session: Session) -> int:
    """How many exchanges ``generate`` will fill (for the length of a progress bar)."""
    return len(_exchanges(session))


def generate(
    session: Session,
    seed: int = 1,
    *,
    today: date,
    scale: float | None = None,
    progress: Progress | None = None,
) -> dict:
    """Add participants to the demo institutions and register them for the demo exchanges
    that have none yet (past ones with attendance, open ones with places and waiting lists).

    ``progress`` is called with the number of exchanges done. Writes in the session's
    transaction; the caller commits.
    """
    rng = random.Random(seed + 1000)  # noqa: S311  (demo data, deterministic on purpose)
    session.flush()
    generator = _Generator(session, rng, today, scale)
    exchanges = _exchanges(session)
    for start in range(0, len(exchanges), BATCH):
        batch = exchanges[start : start + BATCH]
        for exchange in batch:
            generator.add(exchange)
        generator.write()
        if progress:
            progress(len(batch))
    fix_sequences(session, table_of(Participant))
    return generator.counts
