"""The Polish catalog is complete: every message of the code and the templates is translated.

The messages are extracted as ``make update-catalog`` extracts them (babel.cfg, the ``_l`` and
``lazy_gettext`` keywords), so a new string without a translation fails here, not in front of a
Polish user. After changing user-facing strings: ``make update-catalog``, translate, ``make``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = ROOT / "translations" / "pl" / "LC_MESSAGES" / "messages.po"
MO_FILE = PO_FILE.with_suffix(".mo")
#: the keywords of the Makefile's ``pybabel extract -k _l -k lazy_gettext``
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


Key = tuple[str | None, str | tuple[str, ...]]


@cache
def extracted() -> dict[Key, str]:
    """Every (context, message id) in the code and templates → where it was first seen."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[Key, str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        key = (context, message if isinstance(message, str) else tuple(message))
        found.setdefault(key, f"{filename}:{lineno}")
    return found


@cache
def catalog() -> Catalog:
    with PO_FILE.open("rb") as po:
        return read_po(po, locale="pl")


def _key(message) -> Key:
    return (message.context, message.id if isinstance(message.id, str) else tuple(message.id))


def test_extraction_finds_the_code_and_the_templates():
    places = set(extracted().values())
    assert any(place.startswith("exchange/") for place in places)
    assert any(place.startswith("templates/") for place in places)
    assert (None, "Partner cities") in extracted()
    assert ("person", "Name") in extracted()  # pgettext: a person's name, not a thing's


def test_every_message_has_a_polish_translation():
    messages = {_key(message): message for message in catalog() if message.id}
    missing = []
    for key, place in sorted(extracted().items(), key=lambda item: item[1]):
        message = messages.get(key)
        strings = [] if message is None else message.string
        strings = [strings] if isinstance(strings, str) else list(strings)
        if not strings or not all(strings):
            missing.append(f"{place}: {key!r}")
    assert not missing, (
        f"{len(missing)} messages have no Polish translation (make update-catalog, then "
        "translate them in translations/pl/LC_MESSAGES/messages.po):\n" + "\n".join(missing)
    )


def test_no_translation_is_fuzzy():
    fuzzy = [_key(message) for message in catalog() if message.id and message.fuzzy]
    assert not fuzzy, f"check these translations, then remove their fuzzy flag: {fuzzy}"


def test_placeholders_and_plural_forms_are_right():
    assert catalog().num_plurals == 3  # Polish: 1 plik, 2 pliki, 5 plików
    problems = [
        (_key(message), [str(error) for error in errors]) for message, errors in catalog().check()
    ]
    assert not problems
    for message in catalog():
        if message.pluralizable:
            assert len(message.string) == 3, message.id
            for string in message.string:
                assert "%(num)d" in string, (message.id, string)


def test_the_compiled_catalog_is_up_to_date():
    assert MO_FILE.exists(), "compile the catalog: make translations"
    assert MO_FILE.stat().st_mtime >= PO_FILE.stat().st_mtime, (
        "messages.mo is older than messages.po: make translations"
    )


def test_pages_in_polish_use_the_compiled_catalog(client):
    client.set_cookie("lang", "pl")
    page = client.get("/partners/").get_data(as_text=True)
    assert '<html lang="pl">' in page
    assert "Miasta partnerskie" in page
    assert "Nadchodzące wydarzenia" in page
    assert "Partner cities" not in page
    assert "Upcoming events" not in page
