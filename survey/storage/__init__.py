"""Storage: a SQLite file through sqlite-utils or a PostgreSQL database through psycopg
(``store.py``), a thin layer around the core."""

from survey.storage.db import open_database

__all__ = ["open_database"]
