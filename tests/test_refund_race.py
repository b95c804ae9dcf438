"""Eight agents refunding the same return at the same moment, each from their own page (their
own idempotency key), against gunicorn with four workers and the production settings, on the
test database (PostgreSQL in CI's second run): the return is paid once, and every agent gets
a clear answer. The parcel hasn't arrived, so each refunds it as lost, and each presses the
confirmation page's Confirm at once."""

import re
import threading

from tests.conftest import fresh_database
from tests.load.generator import Budget, Client, Gunicorn, Stats, flask_command, production_env
from tests.returns_helpers import token_from

AGENTS = 8


def _signed_in(port: int, email: str, password: str) -> Client:
    client = Client(port, Stats(), Budget(120, 10_000), 0, timeout=30)
    page = client.get("/staff/sign-in", "sign-in").text
    form = {"csrf_token": token_from(page), "email": email, "password": password}
    assert client.post("/staff/sign-in", "sign-in", form).status == 303
    return client


def test_eight_agents_refunding_at_once_pay_once(tmp_path):
    with fresh_database(tmp_path) as database:
        env = production_env(database, tmp_path, WEB_CONCURRENCY="4")
        flask_command(env, "db", "upgrade")
        flask_command(env, "demo", "seed")  # a return with its label issued, and sign-ins
        sign_ins = (tmp_path / "demo-sign-ins.txt").read_text(encoding="utf-8")
        email, password = re.search(r"agent\s+(\S+)\s+password: (\S+)", sign_ins).groups()
        with Gunicorn("app:create_app()", env, tmp_path / "gunicorn.log") as server:
            agents = [_signed_in(server.port, email, password) for _ in range(AGENTS)]
            queue = agents[0].get("/staff/returns", "queue").text
            # JP-10484's return, its label issued (the demo's other return is refunded).
            rma = re.search(r"/staff/returns/(RMA-[\w-]+)\">[^<]*</a></td>\s*<td>JP-10484", queue)
            rma = rma.group(1)
            lost = f"/staff/returns/{rma}/parcel-lost"
            pages = [agent.get(lost, "parcel lost").text for agent in agents]
            amount = re.search(r"Refundable: \$([\d.]+) of", pages[0]).group(1)
            forms = [
                {
                    "csrf_token": token_from(page),
                    "key": token_from(page, "key"),
                    "amount": amount,
                    "parcel_lost": "y",
                    "step": "confirm",
                }
                for page in pages
            ]
            for agent, form in zip(agents, forms, strict=True):  # each reviews it first
                review = {k: v for k, v in form.items() if k != "step"}
                confirmation = agent.post(f"/staff/returns/{rma}/refund", "review", review)
                assert confirmation.status == 200 and f"Confirm refund of ${amount}" in (
                    confirmation.text
                )
                assert token_from(confirmation.text, "key") == form["key"]
            ready = threading.Barrier(AGENTS)
            answers: list = [None] * AGENTS

            def refund(n: int) -> None:
                ready.wait()
                answers[n] = agents[n].post(f"/staff/returns/{rma}/refund", "refund", forms[n])

            threads = [threading.Thread(target=refund, args=(n,)) for n in range(AGENTS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            detail = agents[0].get(f"/staff/returns/{rma}", "return").text
            for agent in agents:
                agent.close()

    statuses = sorted(answer.status for answer in answers)
    assert statuses == [303] + [409] * (AGENTS - 1), statuses
    refused = [answer.text for answer in answers if answer.status == 409]
    assert all("Nothing is left to refund on this return" in text for text in refused)
    # The return's page lists one refund, of the amount that was refundable.
    assert len(re.findall(rf"<td>\${re.escape(amount)}</td>", detail)) == 1
