"""Paper forms: a mail merge of personal 2009 forms for a national round (issue 17).

690 invitations (138 municipalities, five people each; half with a postal address) in a
round of the 2009 questionnaire, printed as one PDF with ``survey paper-form --round``'s
operation: each person's cover page (address block, return code, QR code of their link)
and the questions. Baseline in the same run: the blank form of the same questionnaire,
rendered alone; the figure held against it is the time per personal form. Peak memory is
the process's high-water mark, reset before the mail merge.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchlib import Figures, best_of, main, peak_rss_mb, reset_peak_rss, say, table

from reports import pages_of

ROLES = ("ordforer", "radmann", "tillitsvalgt", "prosjektleder", "annet")


def people(municipalities: int) -> bytes:
    rows = ["name;email;role;unit;pulje;adresse;postnummer;poststed"]
    for m in range(1, municipalities + 1):
        for role in ROLES:
            street = f"Rådhusgata {m}" if m % 2 else ""
            rows.append(
                f"{role.title()} Kommune{m};{role}@k{m}.kommune.no;{role};Kommune {m};"
                f"{1 + m % 4};{street};{'7600' if street else ''};{'Levanger' if street else ''}"
            )
    return "\n".join(rows).encode()


def run(quick: bool) -> Figures:
    from survey.accounts import operator
    from survey.operations.invitations import invite
    from survey.operations.paper_forms import personal_forms, set_return_address, version_form
    from survey.operations.questionnaires import publish_questionnaire
    from survey.operations.rounds import create_round
    from survey.questionnaire import load_file
    from survey.resources import DEMO_QUESTIONNAIRE
    from survey.storage import open_database

    municipalities = 6 if quick else 138
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "paper.sqlite3")
        actor = operator()
        version = publish_questionnaire(db, actor, load_file(DEMO_QUESTIONNAIRE))
        round_ = create_round(db, actor, "kvalitetskommune-2009", "Papir")
        invite(db, actor, round_.id, people(municipalities))
        set_return_address(db, actor, round_.id, "Sekretariatet\nPostboks 1378 Vika\n0114 Oslo")
        blank_s, blank = best_of(2, lambda: version_form(db, actor, version.id))
        reset_peak_rss()
        start = time.perf_counter()
        merged = personal_forms(db, actor, round_.id, "https://survey.example.no")
        merge_s = time.perf_counter() - start
        peak = peak_rss_mb()
    forms = municipalities * len(ROLES)
    per_form = merge_s / forms
    figures: Figures = {
        "forms": forms,
        "blank_s": round(blank_s, 3),
        "blank_pages": pages_of(blank),
        "merge_s": round(merge_s, 1),
        "merge_pages": pages_of(merged),
        "merge_mb": round(len(merged) / 2**20, 1),
        "per_form_s": round(per_form, 3),
        "per_form_vs_blank": round(per_form / blank_s, 2),
        "peak_mb": round(peak),
    }
    merge_notes = f"{figures['merge_mb']} MB file, peak {figures['peak_mb']} MB"
    rows = [
        ["blank 2009 form (baseline)", figures["blank_s"], figures["blank_pages"], ""],
        [f"mail merge, {forms} forms", figures["merge_s"], figures["merge_pages"], merge_notes],
        ["  per personal form", figures["per_form_s"], "", f"{per_form / blank_s:.2f}x blank"],
    ]
    say(table(rows, ["render", "seconds", "pages", "notes"]))
    return figures


if __name__ == "__main__":
    main("paper_forms", run)
