"""The one build step setup.cfg cannot declare: ship the top-level folders inside the package.

templates/, static/, reports/ and questionnaires/ stay at the top of the repository, where
the people who edit them look. A wheel can only install files inside a package, so build_py
copies them, and the demo's invitation list, into survey/_files/ in the build tree with the
same relative paths; survey/resources.py looks there first and in the checkout otherwise.
An editable install imports survey/ from the checkout, so it never needs the copies.
Metadata and dependencies live in setup.cfg; MANIFEST.in puts the same files in the sdist.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

# Relative to the repository's top; survey/resources.py names each of them.
SHIPPED = ("templates", "static", "reports", "questionnaires", "docs/examples/demo-people.csv")
TARGET = Path("survey", "_files")


def shipped_files() -> list[Path]:
    """Every file under SHIPPED, without hidden files such as reports/.gitkeep."""
    files: list[Path] = []
    for name in SHIPPED:
        path = Path(name)
        if path.is_file():
            files.append(path)
            continue
        if not path.is_dir():
            raise FileNotFoundError(f"{name} is missing: run the build from the repository's top")
        files.extend(
            p
            for p in sorted(path.rglob("*"))
            if p.is_file()
            and not any(part.startswith(".") or part == "__pycache__" for part in p.parts)
        )
    return files


class BuildPyWithShippedFiles(build_py):
    """build_py that also copies the shipped folders to survey/_files/ in build_lib."""

    def run(self) -> None:
        super().run()
        for source in shipped_files():
            target = Path(self.build_lib, TARGET, source)
            self.mkpath(str(target.parent))
            self.copy_file(str(source), str(target))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        copies = [str(Path(self.build_lib, TARGET, source)) for source in shipped_files()]
        return [*super().get_outputs(include_bytecode), *copies]


setup(cmdclass={"build_py": BuildPyWithShippedFiles})
