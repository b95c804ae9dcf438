"""Staff accounts and signed-in clients for tests."""

from app.staff.auth import create_user
from tests.returns_helpers import token_from

PASSWORD = "correct horse battery"


def make_user(app, email="agent@example.com", role="agent") -> None:
    with app.app_context():
        create_user(email, PASSWORD, role)


def sign_in(client, email="agent@example.com", password=PASSWORD):
    token = token_from(client.get("/staff/sign-in").get_data(as_text=True))
    return client.post(
        "/staff/sign-in", data={"csrf_token": token, "email": email, "password": password}
    )


def signed_in(app, role="agent"):
    """A client signed in as a new user with `role`."""
    email = f"{role}@example.com"
    make_user(app, email, role)
    client = app.test_client()
    assert sign_in(client, email).status_code == 303
    return client
