"""The photos customers attached to returned items, for agents only."""

from pathlib import Path

from flask import Response, abort, current_app, send_from_directory

from app.extensions import db
from app.models.returns import ReturnPhoto
from app.staff import bp
from app.staff.access import AGENTS, role_required


@bp.get("/returns/<rma>/photos/<int:photo_id>")
@role_required(*AGENTS)
def return_photo(rma: str, photo_id: int) -> Response:
    photo = db.session.get(ReturnPhoto, photo_id)
    if photo is None or photo.request is None or photo.request.rma_number != rma.upper():
        abort(404)
    response = send_from_directory(
        Path(current_app.config["RETURN_PHOTOS_DIR"]),
        photo.file_name,
        mimetype=photo.content_type,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
