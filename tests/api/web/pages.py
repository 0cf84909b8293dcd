"""Every page, once: the role-guard tests and the browser tests (axe-core, screenshots) walk this list.

Add a page here when you add one: ``(path, roles allowed, screenshot name)``. ``{advised}`` and
``{unadvised}`` are filled with an advice id with and without a suggestion, ``{name}`` with a model
(fixture ``page_ids`` in ``tests/api/web/conftest.py``; add a placeholder there if a page needs one).
"""

from __future__ import annotations

PAGES: list[tuple[str, frozenset[str], str]] = [
    ("/", frozenset({"caseworker", "team_lead", "model_owner", "auditor", "admin"}), "start"),
    ("/zaken", frozenset({"caseworker"}), "nieuwe-zaken"),
    ("/zaken/{advised}", frozenset({"caseworker"}), "zaak-met-advies"),
    ("/zaken/{unadvised}", frozenset({"caseworker"}), "zaak-zonder-advies"),
    ("/zaken/{advised}/uitleg", frozenset({"caseworker"}), "uitleg-inwoner"),
    ("/zaken/{advised}/bezwaar", frozenset({"caseworker"}), "bezwaar"),
    ("/capaciteit", frozenset({"team_lead"}), "capaciteit"),
    ("/modellen", frozenset({"model_owner", "auditor", "admin"}), "modellen"),
    ("/modellen/{name}/systeemkaart", frozenset({"model_owner", "auditor", "admin"}), "systeemkaart"),
]
# Page routes that answer with a file, not a page: (path, roles allowed); ``{name}`` is a triage model.
DOWNLOADS: list[tuple[str, frozenset[str]]] = [
    ("/modellen/{name}/algoritmeregister.json", frozenset({"model_owner", "auditor", "admin"})),
    ("/modellen/{name}/systeemkaart.pdf", frozenset({"model_owner", "auditor", "admin"})),
]
# A form's POST address opened with GET (the language switch on a refused form): (path, roles allowed,
# where it sends the browser).
FORM_ADDRESSES: list[tuple[str, frozenset[str], str]] = [
    ("/zaken/{advised}/besluit", frozenset({"caseworker"}), "/zaken/{advised}?lang=en#besluit"),
    ("/modellen/stopknop", frozenset({"model_owner", "auditor", "admin"}), "/modellen?lang=en#stopknop"),
    ("/modellen/{name}/besluit", frozenset({"model_owner", "auditor", "admin"}), "/modellen?lang=en#besluit-{name}"),
]
