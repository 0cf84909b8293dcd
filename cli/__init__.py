"""The ``werkwijzer`` command: the composition root on top of ``casework`` and ``flows`` (ADR 0013)."""
