"""The pages' language: Dutch (B1) by default, English on request; the texts are the core catalogue's.

The language comes from ``?lang=nl|en`` (which the page then remembers in a cookie), else from
that cookie, else Dutch. Templates call ``t("key")`` and, for a counted text, ``tn("key", n)``
("1 zaak wacht", "3 zaken wachten"); the texts live in the gettext catalogues of
``werkwijzer.i18n`` (``werkwijzer/locale/<lang>/LC_MESSAGES/werkwijzer.po``) with those of the
report and the narratives. A key missing from a catalogue is a bug, so ``translate`` raises
instead of showing the key to a caseworker.
"""

from __future__ import annotations

from fastapi import Request

from werkwijzer.i18n import DEFAULT_LANG, LANGS, Lang, has_text, translate, translate_plural

__all__ = [
    "DEFAULT_LANG",
    "LANGS",
    "LANG_COOKIE",
    "Lang",
    "effort_label",
    "has_text",
    "page_lang",
    "requested_lang",
    "translate",
    "translate_plural",
]

LANG_COOKIE = "ww_lang"


def requested_lang(request: Request) -> Lang | None:
    """The language asked for in this request's query string, if it is one we have."""
    asked = request.query_params.get("lang")
    return asked if asked in LANGS else None


def page_lang(request: Request) -> Lang:
    """Query string first (a switch), then the remembered choice, then Dutch."""
    remembered = request.cookies.get(LANG_COOKIE)
    return requested_lang(request) or (remembered if remembered in LANGS else DEFAULT_LANG)


def effort_label(effort_class: str, lang: Lang) -> str:
    """The catalogue's word for an effort class; a municipality's own class name is shown as given."""
    key = f"effort.{effort_class}"
    return translate(key, lang) if has_text(key) else effort_class.replace("_", " ")
