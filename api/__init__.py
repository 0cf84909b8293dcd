"""The advisory service over HTTP: app, routes, schemas, pages; the rules live in ``casework``.

It advises; a person decides.
"""
