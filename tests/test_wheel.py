"""The wheel is the product: built the way a release is built (the sdist, then the wheel from
the sdist), installed into a fresh environment outside the checkout, it serves a respondent's
page with its stylesheet and writes a PDF report.

Every other test imports survey/ from the checkout, where templates/, static/, reports/ and
questionnaires/ sit at the top; only this one notices an installed engine that cannot find
them. The fresh environment borrows the dependencies from the test's own environment (a .pth
line, no downloads) but gets survey itself only from the wheel, and every command runs in a
temporary folder, so nothing can fall back on the checkout.
"""

from __future__ import annotations

import os
import re
import site
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import pytest

from survey import resources
from tests.conftest import ROOT

SHIPPED_FOLDERS = (
    resources.TEMPLATES,
    resources.STATIC,
    resources.REPORTS,
    resources.QUESTIONNAIRES,
)


def run(*args: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a command and fail with its output, which says why a build or command broke."""
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return done


def shipped_files() -> list[str]:
    """The checkout's files that an installed engine needs, relative to resources.ROOT."""
    files = [
        path
        for folder in SHIPPED_FOLDERS
        for path in folder.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    ]
    files.append(resources.DEMO_PEOPLE)
    return sorted(path.relative_to(resources.ROOT).as_posix() for path in files)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdist and wheel, built with the test environment's setuptools (no downloads)."""
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT)
    return out


@pytest.fixture(scope="module")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed; returns its bin folder."""
    venv = tmp_path_factory.mktemp("installed") / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
    # the dependencies: this environment's site-packages, appended after the venv's own, so
    # survey itself comes from the wheel even if the checkout is installed here
    (Path(purelib.stdout.strip()) / "dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n"
    )
    [wheel] = dist.glob("*.whl")
    run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel)
    return venv / "bin"


def test_checkout_finds_the_folders_at_the_top() -> None:
    assert resources.ROOT == ROOT
    assert resources.TEMPLATES == ROOT / "templates"
    assert resources.DEMO_PEOPLE == ROOT / "docs" / "examples" / "demo-people.csv"


def test_sdist_and_wheel_carry_every_shipped_file(dist: Path) -> None:
    expected = shipped_files()
    assert "templates/respond/question.html" in expected
    assert "reports/assets/fonts/DejaVuSans.ttf" in expected
    assert "questionnaires/kvalitetskommune-2009.yaml" in expected
    [sdist] = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        in_sdist = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    assert set(expected) <= in_sdist
    [wheel] = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        bundled = {
            name.removeprefix("survey/_files/"): archive.read(name)
            for name in archive.namelist()
            if name.startswith("survey/_files/")
        }
    assert sorted(bundled) == expected
    for name in expected:  # byte for byte: the fonts are not mangled as text
        assert bundled[name] == (resources.ROOT / name).read_bytes(), name


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, deadline: float) -> tuple[int, str, bytes]:
    """GET url, retrying while the server is still starting."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.headers["Content-Type"], response.read()
        except (ConnectionError, urllib.error.URLError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_installed_wheel_serves_a_respondent_and_writes_a_report(
    installed: Path, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "FLASK_"))}
    env.update(
        SURVEY_DATABASE=str(tmp_path / "survey.sqlite3"),
        SURVEY_SECRET_KEY="wheel-test",
        SURVEY_BASE_URL=base,
    )
    survey = installed / "survey"

    where = run(
        installed / "python",
        "-c",
        "import survey, survey.resources as r; print(survey.__file__); print(r.ROOT)",
        cwd=tmp_path,
        env=env,
    )
    package, root = (Path(line) for line in where.stdout.split())
    assert package.is_relative_to(installed.parent) and root == package.parent / "_files"

    run(survey, "init-db", cwd=tmp_path, env=env)
    demo = run(survey, "demo", cwd=tmp_path, env=env)
    link = re.search(rf"{re.escape(base)}/s/\S+", demo.stdout)
    assert link, demo.stdout

    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [survey, "run", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        status, _, body = get(link.group(), time.monotonic() + 30)
        start = body.decode()
        assert status == 200
        assert "<h1>Evaluering av Kvalitetskommuneprogrammet</h1>" in start
        assert "Hopp til innholdet" in start and "<h2>Konfidensialitet</h2>" in start
        status, _, body = get(f"{link.group()}/side/1", time.monotonic() + 5)
        assert status == 200 and "Ordfører" in body.decode()
        stylesheet = re.search(r'href="(/static/survey\.css[^"]*)"', start)
        assert stylesheet, start
        status, kind, css = get(base + stylesheet.group(1), time.monotonic() + 5)
        assert status == 200 and kind.startswith("text/css")
        assert css == (ROOT / "static" / "survey.css").read_bytes()
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()

    national = run(survey, "demo", "--national", cwd=tmp_path, env=env)
    first, later = re.findall(r"round (\d+):", national.stdout)
    run(survey, "report", later, "--compare", first, "-o", "r.pdf", cwd=tmp_path, env=env)
    pdf = tmp_path / "r.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = run("pdftotext", pdf, "-").stdout
    assert "Oppfølging 2010 (generert)" in text
    assert "Sammendrag" in text and "Svarprosent" in text
