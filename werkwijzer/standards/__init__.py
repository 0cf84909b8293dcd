"""Dutch public-sector interface standards, read from their official definitions.

``openapi`` turns a component schema of a published OpenAPI document into a validator (``$ref``s
resolved); ``algoritmeregister`` checks register entries against the submission API's
``AlgorithmIn`` and talks to that API; ``zgw`` reads zaken from a ZGW Zaken API; ``http`` holds the
one bounded-retry rule both clients use; ``task_registry`` reads the Algoritmekader's requirements and
instruments (MinBZK task registry) for the system card.
"""
