"""Every page is valid HTML by the W3C Nu checker, a validator the project does not write.

Its errors are what assistive technology trips over in the markup itself: ids used twice
(a label, an error message or a skip link pointing at the wrong element), misplaced
attributes, elements where they may not be. 0 errors on every page, no rule ignored."""

from __future__ import annotations

from tests.accessibility.validators import nu_errors
from tests.conftest import ROOT


def test_every_template_is_among_the_pages_checked(every_page):
    """A page added tomorrow is validated tomorrow: every template that makes a whole page
    was rendered by the walk (the parts that other templates include are not pages)."""
    parts = {
        "base.html",
        "footer.html",
        "secretariat/layout.html",
        "secretariat/macros.html",
        "respond/question.html",
    }
    templates = {
        str(path.relative_to(ROOT / "templates")) for path in (ROOT / "templates").rglob("*.html")
    }
    assert templates - parts - every_page.templates == set()


def test_no_page_has_an_html_error(every_page, tmp_path):
    errors = nu_errors(every_page.html, tmp_path / "pages")
    assert errors == {}, "\n".join(
        f"{page}:\n  " + "\n  ".join(messages) for page, messages in errors.items()
    )
