"""One translation mechanism (ADR 0014): gettext catalogues, plurals in both languages, loud failures."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from werkwijzer import i18n
from werkwijzer.i18n import CatalogueError, MissingText, load, po_path, translate, translate_plural
from werkwijzer.vocabulary import MODEL_NAMES

PLURALS = [
    ("cases.caption", 1, "nl", "1 zaak wacht op een besluit."),
    ("cases.caption", 3, "nl", "3 zaken wachten op een besluit."),
    ("cases.caption", 0, "nl", "0 zaken wachten op een besluit."),
    ("cases.caption", 1, "en", "1 case waits for a decision."),
    ("cases.caption", 3, "en", "3 cases wait for a decision."),
    ("report.count.group", 1, "nl", "1 groep"),
    ("report.count.group", 2, "nl", "2 groepen"),
    ("report.count.group", 1, "en", "1 group"),
    ("report.count.group", 2, "en", "2 groups"),
]


@pytest.mark.parametrize(("key", "n", "lang", "expected"), PLURALS)
def test_counted_texts_agree_with_their_count(key: str, n: int, lang: str, expected: str) -> None:
    assert translate_plural(key, n, lang) == expected


@pytest.mark.parametrize(
    ("lang", "one", "more"), [("nl", "In 1 week is", "In 4 weken is"), ("en", "In 1 week the", "In 4 weeks the")]
)
def test_weeks_at_risk_in_one_week_or_more(lang: str, one: str, more: str) -> None:
    values = {"threshold": "20 %", "term": "8 weken", "weeks": "week 50"}
    assert translate_plural("capacity.risk.some", 1, lang, **values).startswith(one)
    assert translate_plural("capacity.risk.some", 4, lang, **values).startswith(more)


def test_a_shown_count_may_differ_from_the_count_that_picks_the_form() -> None:
    assert translate_plural("report.count.group", 1000, "nl", n="1.000") == "1.000 groepen"


def test_a_missing_key_or_the_wrong_call_raises_instead_of_showing_the_key() -> None:
    with pytest.raises(MissingText, match=re.escape("no text 'cases.nonexistent'")):
        translate("cases.nonexistent", "nl")
    with pytest.raises(MissingText, match="use translate_plural"):
        translate("cases.caption", "nl")
    with pytest.raises(MissingText, match="use translate"):
        translate_plural("cases.title", 2, "nl")
    with pytest.raises(ValueError, match="language 'de' is not available"):
        translate("cases.title", "de")


def test_every_registered_model_has_a_name_for_people() -> None:
    for name in MODEL_NAMES:
        assert translate(f"models.name.{name}", "nl") and translate(f"models.name.{name}", "en")


def _copy(tmp_path: Path) -> Path:
    for lang in i18n.LANGS:
        target = po_path(lang, tmp_path)
        target.parent.mkdir(parents=True)
        shutil.copy(po_path(lang), target)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_shipped_catalogues_load_from_a_copy(tmp_path: Path) -> None:
    texts = load(_copy(tmp_path))
    assert set(texts["nl"].entries) == set(texts["en"].entries)


BROKEN = [  # (language, text in its catalogue, replaced by, what loading says)
    (
        "en",
        'msgid "signin.empty"\nmsgstr "Enter your code."\n',
        "",
        "LC_MESSAGES/werkwijzer.po: missing 1 key(s), e.g. ['signin.empty']",
    ),
    ("nl", 'msgstr "Vul uw code in."', 'msgstr ""', "'signin.empty' has an empty text"),
    ("en", 'msgstr "Case {case}"', 'msgstr "Case {id}"', "'case.title' has other placeholders"),
    ("nl", 'msgid "signin.empty"', '#, fuzzy\nmsgid "signin.empty"', "'signin.empty' is marked fuzzy"),
]


@pytest.mark.parametrize(("lang", "old", "new", "message"), BROKEN)
def test_a_broken_catalogue_fails_loading(tmp_path: Path, lang: str, old: str, new: str, message: str) -> None:
    folder = _copy(tmp_path)
    _edit(po_path(lang, folder), old, new)
    with pytest.raises(CatalogueError, match=re.escape(message)) as refused:
        load(folder)
    assert "missing" not in message or str(po_path(lang, folder)) in str(refused.value), "names the broken file"


def test_a_plural_in_one_language_only_fails_loading(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = po_path("en", folder)
    text = path.read_text(encoding="utf-8")
    plural = r'msgid "cases.caption"\nmsgid_plural "cases.caption"\nmsgstr\[0\] "[^"]*"\nmsgstr\[1\] ("[^"]*")'
    singular = re.sub(plural, r'msgid "cases.caption"\nmsgstr \1', text)
    assert singular != text
    path.write_text(singular, encoding="utf-8")
    with pytest.raises(CatalogueError, match=re.escape("'cases.caption' is a plural entry in one language only")):
        load(folder)


def test_the_catalogues_ship_with_the_package() -> None:
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"werkwijzer" = ["locale/*/LC_MESSAGES/*.po"]' in pyproject
