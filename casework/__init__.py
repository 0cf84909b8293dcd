"""The casework domain: the case store and the rules of advice, decisions and the audit trail.

Storage (``storage``, ``db``, ``migrations``), the champion models the service advises with
(``modelstore``), the domain services (``advice``, ``decisions``, ``audit``, ``switches``,
``users``, ...) and the one read model that monitoring and the council report read (``frames``).
It imports ``werkwijzer``, ``models`` and ``explain``, never ``api``, ``flows`` or ``cli``: the
HTTP service, the Prefect flows and the command line all sit on top of it (ADR 0013).
"""
