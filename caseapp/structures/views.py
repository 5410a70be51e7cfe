from flask import Blueprint, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseapp.extensions import db
from caseapp.security.permissions import permission_required
from caseapp.structures.models import Structure

bp = Blueprint("structures", __name__, url_prefix="/structures")


@bp.route("/")
@permission_required("structures.view")
def index():
    structures = db.session.execute(
        select(Structure).options(selectinload(Structure.services)).order_by(Structure.kind == "partner", Structure.code)
    ).scalars().all()
    return render_template("structures/index.html", structures=structures)
