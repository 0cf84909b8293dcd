"""What enters and leaves the API, one schema family per entity (``XCreate`` in, ``XPublic`` out)."""
