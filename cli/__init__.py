"""The ``werkwijzer`` command line; each module registers the commands of one area."""
