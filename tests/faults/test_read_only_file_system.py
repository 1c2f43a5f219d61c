"""A database on a file system that has become read-only (a disk remounted read-only after
errors, a volume mounted read-only for maintenance): a returning respondent can still read
their answers, and saving gets the "try again" page with everything typed kept.

``PRAGMA query_only`` (test_unavailable_database.py) refuses writes but leaves the file
system writable, so it could not show this: a WAL database needs its ``-shm`` index, which
cannot be created on a read-only file system, so every read failed too. The tests run as
root, where ``chmod`` does not stop anything, so the database is copied into a tmpfs inside
a private mount namespace (``unshare``) and that tmpfs is remounted read-only: the kernel
itself refuses every write, and nothing outside the namespace sees the mount."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import survey.web.database
from tests.faults.test_unavailable_database import checked
from tests.security.conftest import LIKERT_P3, MAYOR, Elements, post_page

ROOT = Path(__file__).resolve().parents[2]


def on_read_only_file_system(files: list[Path], mount: Path, token: str) -> dict:
    """Copy the files into a tmpfs at ``mount``, remount it read-only, and run the app there."""
    mount.mkdir()
    copies = " ".join(str(f) for f in files)
    script = (
        f"mount -t tmpfs survey-ro {mount} && cp {copies} {mount}/ && "
        f"mount -o remount,ro {mount} && touch {mount}/probe 2>/dev/null && exit 99; "
        f"exec {sys.executable} -m tests.faults.read_only_app {mount}/{files[0].name} {token}"
    )
    done = subprocess.run(
        ["unshare", "--map-root-user", "--mount", "sh", "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    return json.loads(done.stdout)


@pytest.mark.parametrize("left", ["closed cleanly", "with its log"])
def test_a_returning_respondent_can_read_on_a_read_only_file_system_with_wal(setup, tmp_path, left):
    """ "closed cleanly": every connection closed, so the log was checkpointed and deleted
    (the case that failed). "with its log": a process still had it open, so the last
    answers live only in the ``-wal`` file, which must be read, not ignored."""
    client = setup.app.test_client()
    token = setup.tokens[MAYOR]
    holder = None
    if left == "with its log":
        holder = setup.db()
        holder.execute("PRAGMA wal_autocheckpoint = 0")  # keep the answers in the log
    post_page(client, f"/s/{token}/side/1", {"q1": "ordforer", "action": "next"})
    post_page(client, f"/s/{token}/side/3", {**LIKERT_P3, "action": "next"})
    survey.web.database.close_all()
    db = Path(setup.db_path)
    files = [db] + [f for f in (Path(f"{db}-wal"), Path(f"{db}-shm")) if f.exists()]
    try:
        assert (len(files) == 3) == (left == "with its log")
        if left == "with its log":
            snapshot = tmp_path / "snapshot"  # the three files as one moment
            snapshot.mkdir()
            files = [Path(shutil.copy(f, snapshot)) for f in files]
    finally:
        if holder is not None:
            holder.close()

    seen = on_read_only_file_system(files, tmp_path / "ro", token)

    assert seen["GET"]["status"] == 200
    page = seen["GET/side/3"]
    assert page["status"] == 200
    assert checked(page["html"], "q5-5") and checked(page["html"], "q9b-vet_ikke")
    saved = seen["POST/side/3"]
    assert saved["status"] == 503 and saved["retry_after"] == "30"
    assert "Svarene ble ikke lagret – prøv igjen" in saved["html"]
    assert checked(saved["html"], "q5-2") and checked(saved["html"], "q8-6")
    assert Elements(saved["html"]).named("form")
