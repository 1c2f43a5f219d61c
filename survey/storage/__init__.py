"""Storage: one SQLite file through sqlite-utils, a thin layer around the core."""

from survey.storage.db import StorageError, open_database

__all__ = ["StorageError", "open_database"]
