"""The names the demo data is made of: institutions, themes, topics, ensembles, fairs, venues
and a programme's activities (invented, or public names of places; never real people)."""

from __future__ import annotations

from exchange.exchanges.models import Profession
from exchange.partners.models import InstitutionKind, SchoolLevel

OLSZTYN_INSTITUTIONS = (
    ("Primary School No. 34 in Olsztyn", InstitutionKind.SCHOOL),
    ("Nicolaus Copernicus Secondary School No. 2 in Olsztyn", InstitutionKind.SCHOOL),
    ("Adam Mickiewicz Secondary School No. 1 in Olsztyn", InstitutionKind.SCHOOL),
    ("Vocational School Complex of Mechanics in Olsztyn", InstitutionKind.SCHOOL),
    ("Hotel and Catering School Complex in Olsztyn", InstitutionKind.SCHOOL),
    ("Regional Specialist Hospital in Olsztyn", InstitutionKind.HEALTHCARE),
    ("Olsztyn City Hospital", InstitutionKind.HEALTHCARE),
    ("University of Warmia and Mazury in Olsztyn", InstitutionKind.UNIVERSITY),
    ("Olsztyn City Council", InstitutionKind.PUBLIC_AUTHORITY),
    ("Warmia and Mazury Philharmonic Youth Choir", InstitutionKind.CULTURE),
    ("Kortowo Song and Dance Ensemble", InstitutionKind.CULTURE),
    ("Olsztyn Youth Theatre Studio", InstitutionKind.CULTURE),
    ("AZS UWM Olsztyn Volleyball Academy", InstitutionKind.SPORTS_CLUB),
    ("Stomil Olsztyn Youth Football", InstitutionKind.SPORTS_CLUB),
    ("Olsztyn Rowing and Canoe Club", InstitutionKind.SPORTS_CLUB),
    ("Warmia Guild of Crafts", InstitutionKind.BUSINESS),
    ("Olsztyn Amber Workshop", InstitutionKind.BUSINESS),
    ("Warmian Honey and Preserves Cooperative", InstitutionKind.BUSINESS),
)

#: per partner city: (institution name pattern, kind); {city} is the city's short name
PARTNER_INSTITUTIONS = (
    ("{city} Upper Secondary School", InstitutionKind.SCHOOL),
    ("{city} Vocational College", InstitutionKind.SCHOOL),
    ("{city} Central Hospital", InstitutionKind.HEALTHCARE),
    ("{city} City Council", InstitutionKind.PUBLIC_AUTHORITY),
    ("{city} Youth Orchestra", InstitutionKind.CULTURE),
    ("{city} Sports Club", InstitutionKind.SPORTS_CLUB),
    ("{city} Chamber of Crafts", InstitutionKind.BUSINESS),
)

SHORT_NAMES = {"perugia": "Perugia"}

#: the levels each school teaches, by a word of its name; a school complex teaches two
_LEVEL_WORDS = (
    ("School Complex of Mechanics", (SchoolLevel.VOCATIONAL,)),
    ("School Complex", (SchoolLevel.SECONDARY, SchoolLevel.VOCATIONAL)),
    ("Primary", (SchoolLevel.PRIMARY,)),
    ("Secondary", (SchoolLevel.SECONDARY,)),
    ("Vocational", (SchoolLevel.VOCATIONAL,)),
)
#: the numbered schools of the scale data, in turn
_NUMBERED_LEVELS = (
    (SchoolLevel.PRIMARY,),
    (SchoolLevel.SECONDARY,),
    (SchoolLevel.VOCATIONAL,),
    (SchoolLevel.PRIMARY, SchoolLevel.SECONDARY),
)


def school_levels(name: str, number: int = 0) -> tuple[SchoolLevel, ...]:
    """The levels a demo school teaches: read from its name, or (a numbered school of the
    scale data, named "School No. <number>") in turn."""
    for word, levels in _LEVEL_WORDS:
        if word in name:
            return levels
    return _NUMBERED_LEVELS[number % len(_NUMBERED_LEVELS)]


YOUTH_THEMES = (
    "Lakes and forests: ecology across borders",
    "Digital storytelling",
    "Our shared European history",
    "Copernicus and the stars",
    "Cooking traditions of two cities",
    "Young entrepreneurs",
    "Street art and the city",
    "Robotics workshop",
    "Languages and friendship",
    "Climate action week",
)
PROFESSIONAL_TOPICS = {
    Profession.DOCTORS: (
        "Emergency medicine study visit",
        "Paediatric care exchange",
        "Cardiology training placement",
        "Rehabilitation practice visit",
    ),
    Profession.TEACHERS: (
        "Teachers' job shadowing",
        "Inclusive education seminar",
        "Vocational training methods visit",
        "Language teachers' workshop",
    ),
    Profession.OTHER: (
        "Municipal utilities study visit",
        "Social workers' exchange",
        "Librarians' study visit",
    ),
}
COUNCILLOR_TOPICS = (
    "Participatory budgeting",
    "Public transport planning",
    "Energy efficiency in public buildings",
    "Smart city data",
    "Social housing policy",
    "Tourism promotion",
    "Integrating refugees in local communities",
    "Climate adaptation in cities",
)
ENSEMBLES = (
    ("Warmia and Mazury Philharmonic Youth Choir", "Two concerts of Polish and Baltic songs"),
    ("Kortowo Song and Dance Ensemble", "Folk dance show; open workshop in the old town"),
    ("Olsztyn Youth Theatre Studio", "Three performances of “The Little Prince”"),
    ("Olsztyn Jazz Quartet", "Club concert; jam session with local musicians"),
)
SPORTS = (
    ("Volleyball", "Youth Volleyball Cup"),
    ("Football", "Friendship Football Tournament"),
    ("Rowing", "Lakes Regatta"),
    ("Athletics", "City Run"),
    ("Basketball", "Twin Towns Basketball Cup"),
    ("Chess", "Open Chess Festival"),
)
FAIRS = {
    "offenburg": "Oberrhein Messe",
    "perugia": "Eurochocolate",
    "rovaniemi": "Arctic Design and Crafts Fair",
    "gelsenkirchen": "Ruhr Crafts Fair",
    "chateauroux": "Foire Exposition de l'Indre",
    "halmstad": "Halmstad Harbour Market",
    "richmond": "Virginia Makers Expo",
    "lutsk": "Volyn Business Forum",
    "kaliningrad": "Baltic Amber Fair",
}
TRADES = (
    "amber jewellery",
    "smoked fish",
    "honey",
    "pottery",
    "wood carving",
    "linen weaving",
    "craft beer",
    "cheese",
    "bakery",
    "leather goods",
)
OLSZTYN_VENUES = (
    "Olsztyn Castle",
    "Olsztyn Planetarium",
    "City Hall, Plac Jana Pawła II",
    "Urania Hall",
    "Kortowo campus",
)
PROGRAMME = (
    ("Welcome at the town hall", "Town hall"),
    ("Guided walk through the old town", "Old town"),
    ("Workshops in mixed groups", ""),
    ("Visit to the host institution", ""),
    ("Lunch with the hosts", ""),
    ("Presentation of results", ""),
    ("Excursion to the lakes", "Lake Ukiel"),
    ("Sports and games with the hosts", ""),
    ("Farewell dinner", ""),
)


#: at ``scale`` 1: institutions in all, and exchanges a year (25 years: about 6,000)
