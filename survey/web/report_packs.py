"""The round's report pack on the web: order it, follow each unit's report, download.

An admin orders the pack and downloads it as one zip; every account sees the reports of
the pack it may read (a unit leader: their own units'), each downloaded through the round
page's own PDF address, so one report is one release whichever way it leaves.
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    stream_with_context,
    url_for,
)
from werkzeug.wrappers import Response

from survey.accounts import Account
from survey.operations.report_packs import order_report_pack, pack_progress, pack_zip
from survey.storage.rounds import get_round
from survey.web.auth import SignOutForm, requires, signed_in
from survey.web.database import get_db
from survey.web.forms import Form
from survey.workers import local as local_workers

bp = Blueprint("report_packs", __name__, url_prefix="/sekretariat/runder")


class OrderForm(Form):
    """Only the CSRF token: ordering a pack asks nothing more."""


def _cache() -> Path:
    return local_workers.report_cache(current_app.config, current_app.instance_path)


@bp.route("/<int:round_id>/rapportpakke")
@requires(Account.may_open_workspace)
def pack_page(round_id: int) -> str:
    """The pack's reports and how far each is; read from the jobs' rows, so a refresh
    costs little (the page has a plain link for it: reloading by itself would throw a
    screen reader back to the top)."""
    account = signed_in()
    round_ = get_round(get_db(), round_id)
    progress = pack_progress(get_db(), account, round_id, _cache())
    if progress is not None and not progress.done:
        local_workers.kick(current_app.config, current_app.instance_path)  # WORKERS > 0
    return render_template(
        "secretariat/report_pack.html",
        round=round_,
        progress=progress,
        account=account,
        order_form=OrderForm(),
        sign_out=SignOutForm(),
    )


@bp.route("/<int:round_id>/rapportpakke", methods=["POST"])
@requires(Account.may_manage)
def order(round_id: int) -> Response:
    get_round(get_db(), round_id)  # 404 for a round that does not exist, before the token
    if not OrderForm().validate_on_submit():
        abort(400)
    order_report_pack(
        get_db(), signed_in(), round_id, max_attempts=current_app.config["JOB_ATTEMPTS"]
    )
    local_workers.kick(current_app.config, current_app.instance_path)
    return redirect(url_for("report_packs.pack_page", round_id=round_id))


@bp.route("/<int:round_id>/rapportpakke.zip")
@requires(Account.may_manage)
def download(round_id: int) -> Response:
    """The zip, streamed: each report is released right before its bytes are sent."""
    zipped = pack_zip(
        get_db(), signed_in(), round_id, _cache(), max_attempts=current_app.config["JOB_ATTEMPTS"]
    )
    chunks = stream_with_context(zipped.chunks)
    response = current_app.response_class(chunks, mimetype="application/zip")
    name = f"rapportpakke-runde-{round_id}.zip"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
