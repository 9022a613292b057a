"""Wiring: settings, database, the ASGI application and the command line."""
