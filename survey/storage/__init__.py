"""Storage: one SQLite file through sqlite-utils, a thin layer around the core."""

from survey.storage.db import open_database

__all__ = ["open_database"]
