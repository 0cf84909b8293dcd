"""Every text a person reads, in Dutch (B1) first and English: one gettext catalogue per language.

The catalogues are Babel ``.po`` files in ``werkwijzer/locale/<lang>/LC_MESSAGES/werkwijzer.po``,
the ecosystem's format (translators' tools read them; plurals are native). A message id is a
stable key (``cases.caption``), not a Dutch sentence, so a text can change without touching code.
Pages, the council report and the plain-language narratives all read from here (ADR 0014).

The ``.po`` files are the only source: they are compiled in memory with Babel on first use, so
there is no ``.mo`` file that can fall behind. Loading fails loudly when the two languages do not
have the same keys, the same plural keys and the same placeholders, or a text is empty or fuzzy;
asking for a key that is not there raises :class:`MissingText` instead of showing the key.

A counted text (``n`` zaken) is a plural entry and is asked for with :func:`translate_plural`:
"1 zaak wacht", "3 zaken wachten"; "In 1 week", "In 3 weken".
"""

from __future__ import annotations

import io
import re
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("nl", "en")
DEFAULT_LANG: Lang = "nl"
DOMAIN = "werkwijzer"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


class MissingText(KeyError):
    """A key that is not in the catalogue, or a counted key asked for without a count (or the reverse)."""


class CatalogueError(ValueError):
    """The catalogues disagree or hold an unusable entry; the message names the file and the key."""


def check_lang(lang: str) -> Lang:
    """``lang`` when we have it; otherwise a clear error (the caller passes it on to the person)."""
    if lang not in LANGS:
        raise ValueError(f"language '{lang}' is not available; use 'nl' or 'en'")
    return lang


def po_path(lang: str, directory: Path = LOCALE_DIR) -> Path:
    return directory / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass(frozen=True)
class Entry:
    texts: tuple[str, ...]  # one text, or the singular and plural forms
    plural: bool


def _entries(catalog: Catalog, path: Path) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for message in catalog:
        if not message.id:
            continue  # the header
        plural = isinstance(message.id, tuple | list)
        key = str(message.id[0] if plural else message.id)
        forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
        texts = tuple(str(text or "") for text in forms)
        if message.fuzzy:
            raise CatalogueError(f"{path}: '{key}' is marked fuzzy; check the text and remove the mark")
        if not all(texts) or len(texts) != (catalog.num_plurals if plural else 1):
            raise CatalogueError(f"{path}: '{key}' has an empty text; every form must be filled in")
        out[key] = Entry(texts, plural)
    return out


def _check_same(found: dict[Lang, dict[str, Entry]], paths: dict[Lang, Path]) -> None:
    """Both languages have the same keys, the same plural keys and the same placeholders."""
    (first, a), (second, b) = found.items()
    for one, other, name in ((a, b, second), (b, a, first)):
        missing = sorted(set(one) - set(other))
        if missing:
            raise CatalogueError(f"{paths[name]}: missing {len(missing)} key(s), e.g. {missing[:5]}")
    for key in a:
        if a[key].plural != b[key].plural:
            raise CatalogueError(
                f"'{key}' is a plural entry in one language only ({first}: {a[key].plural}, {second}: {b[key].plural})"
            )
        fields = {lang: set().union(*map(_fields, entries[key].texts)) for lang, entries in found.items()}
        if fields[first] != fields[second]:
            raise CatalogueError(
                f"'{key}' has other placeholders in {first} {sorted(fields[first])} than in "
                f"{second} {sorted(fields[second])}"
            )


class Texts:
    """The catalogue of one language, compiled from its ``.po`` file."""

    def __init__(self, lang: Lang, catalog: Catalog, entries: dict[str, Entry], path: Path) -> None:
        self.lang, self.entries, self.path = lang, entries, path
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        self.translations = Translations(buffer, domain=DOMAIN)

    def text(self, key: str, **values: object) -> str:
        entry = self.entries.get(key)
        if entry is None or entry.plural:
            raise MissingText(
                f"no text '{key}' in {self.path}" + (" (a counted text: use translate_plural)" if entry else "")
            )
        text = self.translations.gettext(key)
        return text.format(**values) if values else text

    def plural(self, key: str, count: float, **values: object) -> str:
        entry = self.entries.get(key)
        if entry is None or not entry.plural:
            raise MissingText(
                f"no counted text '{key}' in {self.path}" + (" (not a counted text: use translate)" if entry else "")
            )
        form = int(count) if float(count).is_integer() else 2  # a fraction reads as plural in both languages
        return self.translations.ngettext(key, key, form).format(**{"n": count, **values})


def load(directory: Path = LOCALE_DIR) -> dict[Lang, Texts]:
    """Read, check and compile the catalogues in ``directory`` (the package's own unless a test asks)."""
    catalogs: dict[Lang, Catalog] = {}
    found: dict[Lang, dict[str, Entry]] = {}
    paths = {lang: po_path(lang, directory) for lang in LANGS}
    for lang, path in paths.items():
        if not path.is_file():
            raise CatalogueError(f"{path}: the catalogue for '{lang}' is missing")
        with path.open("rb") as handle:
            catalogs[lang] = read_po(handle, locale=lang, domain=DOMAIN)
        if not re.fullmatch(r"\s*\(?n\s*!=\s*1\)?\s*", catalogs[lang].plural_expr):
            raise CatalogueError(f"{path}: Plural-Forms must be 'nplurals=2; plural=(n != 1);' for {lang}")
        found[lang] = _entries(catalogs[lang], path)
    _check_same(found, paths)
    return {lang: Texts(lang, catalogs[lang], found[lang], paths[lang]) for lang in LANGS}


@cache
def catalogue() -> dict[Lang, Texts]:
    return load()


def translate(key: str, lang: str, **values: object) -> str:
    """The text for ``key`` in ``lang``, with its ``{name}`` placeholders filled in."""
    return catalogue()[check_lang(lang)].text(key, **values)


def translate_plural(key: str, count: float, lang: str, **values: object) -> str:
    """The singular or plural text for ``count``; ``{n}`` shows ``count`` unless ``values`` gives ``n``
    another form (a formatted number, or ``< 10`` for a suppressed count)."""
    return catalogue()[check_lang(lang)].plural(key, count, **values)


def both(key: str, **values: object) -> str:
    """Dutch, then English, in one line (``nl / en``): for a reader whose language is not known, such as an
    API client's error detail or an MLflow artifact for model owners."""
    return " / ".join(translate(key, lang, **values) for lang in LANGS)


def both_paragraphs(key: str, **values: object) -> list[str]:
    """Dutch, a blank line, then English: a paragraph of a Markdown document for model owners (MLflow)
    that is too long for one line of :func:`both`. A value may be a function of the language
    (``lambda lang: ...``) when it holds translated words itself."""
    nl, en = (
        translate(key, lang, **{name: v(lang) if callable(v) else v for name, v in values.items()}) for lang in LANGS
    )
    return [nl, "", en]


def has_text(key: str) -> bool:
    return key in catalogue()[DEFAULT_LANG].entries
