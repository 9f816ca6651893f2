"""The consent record and the store that keeps it.

``store`` opens SQLite or PostgreSQL and migrates it (``migrations/``, Alembic) to the
tables of ``schema``; ``sealing`` encrypts what is personal; ``records`` holds
recordings, participants, forms and their append-only events; ``accounts`` and
``institution`` the people who sign in; ``jobs`` the scan imports waiting for a worker;
``storecopy`` copies a whole store.
"""
