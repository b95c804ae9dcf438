"""`flask users create` and the demo sign-ins."""

from pathlib import Path

from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.extensions import db
from app.models import User


def test_create_reads_the_password_from_stdin(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "Dana@Example.com", "--role", "agent", "--name", "Dana"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created agent dana@example.com." in result.output
    with app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        assert (user.email, user.role, user.name) == ("dana@example.com", "agent", "Dana")
        assert check_password_hash(user.password_hash, "a long enough password")


def test_create_refuses_short_passwords_bad_roles_and_duplicates(app):
    runner = app.test_cli_runner()
    short = runner.invoke(
        args=["users", "create", "a@example.com", "--role", "agent"], input="short\n"
    )
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    role = runner.invoke(
        args=["users", "create", "a@example.com", "--role", "boss"], input="x" * 12
    )
    assert role.exit_code == 2 and "boss" in role.output
    runner.invoke(
        args=["users", "create", "a@example.com", "--role", "editor"], input="y" * 12 + "\n"
    )
    again = runner.invoke(
        args=["users", "create", "a@example.com", "--role", "admin"], input="z" * 12 + "\n"
    )
    assert again.exit_code == 1 and "already has an account" in again.output
    with app.app_context():
        assert [u.role for u in db.session.execute(select(User)).scalars()] == ["editor"]


def test_demo_seed_creates_one_user_per_role_and_prints_their_sign_ins(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert "Staff sign-ins at /staff/sign-in:" in first.output
    assert "agent@juniperandpine.example  password: " in first.output
    again = runner.invoke(args=["demo", "seed"])
    assert first.output.split("Staff sign-ins")[1] == again.output.split("Staff sign-ins")[1]
    with app.app_context():
        roles = sorted(u.role for u in db.session.execute(select(User)).scalars())
    assert roles == ["admin", "agent", "editor"]
    assert (Path(app.instance_path) / "demo-sign-ins.txt").exists()
