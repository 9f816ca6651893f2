"""The consent record and the store that keeps it.

``store`` opens SQLite or PostgreSQL and migrates it (``migrations/``, Alembic) to the
tables of ``schema``; ``sealing`` encrypts what is personal; ``formid`` makes the form
IDs and the QR payload printed on every page (the record's keys, checked when a page is
read back); ``records`` holds the recordings and what happens to each as a whole;
``roster`` their participants and forms; ``ledger`` a form's append-only events and their
fold into its state; ``by_hand`` the decisions, withdrawals and unreturned forms a person
records; ``consent_status`` a recording's consent as people read it; ``accounts`` and
``institution`` the people who sign in; ``jobs`` the scan imports waiting for a worker;
``storecopy`` copies a whole store.
"""
