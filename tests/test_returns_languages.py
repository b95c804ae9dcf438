"""The returns portal and its emails in the customer's language: German and French pages with
money written their way, the return's language (the order's, else the page's) in every email
and its links whoever sends it, the timeline's notes read back into their messages, and the
policy's own texts per language."""

import re
import shutil
import subprocess
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, ReturnRequest
from app.phrases import Amount, Phrase
from app.returns import timeline
from app.returns.policy import load_policy
from app.templating import long_date, money, translated, written_in
from tests.conftest import ROOT
from tests.returns_helpers import choose, confirm, line_ids, look_up, make_order, token_from
from tests.staff_helpers import signed_in
from tests.test_label_expiry import issued_days_ago
from tests.test_staff_returns import post, receive_all, refund_in_two_steps

NBSP = "\u00a0"
WORDS = {
    "de": {
        "lookup": "Rücksendung starten",
        "start": "Wählen Sie aus, was Sie zurückschicken",
        "price": f"2 × 39,00{NBSP}€",
        "reason": '<option value="too_small" >Zu klein</option>',
        "underwear": "Unterwäsche und Bademode können aus Hygienegründen nicht zurückgesendet",
        "final sale": "Dies war ein Final-Sale-Artikel und kann daher nicht zurückgesendet werden.",
        "review": "<h1>Rücksendung überprüfen</h1>",
        "total": f"<dt>Guthaben</dt><dd>36,35{NBSP}€</dd>",
        "fee": "Die Rücksendekosten für Linen tee (Zu klein) werden von Ihrer Erstattung",
        "status": "<strong>Etikett bereit</strong>",
        "approved": "<strong>Rücksendung genehmigt</strong>",
        "auto": "<p>Automatisch genehmigt.</p>",
        "estimate": f"Voraussichtlich <strong>36,35{NBSP}€</strong>",
        "subject": "Ihre Rücksendung {rma}: Etikett bereit",
        "greeting": "Guten Tag Ana Silva,",
        "items": "Artikel:\n  1 x Linen tee",
    },
    "fr": {
        "lookup": "Faire un retour",
        "start": "Choisissez ce que vous renvoyez",
        "price": f"2 × 39,00{NBSP}€",
        "reason": '<option value="too_small" >Trop petit</option>',
        "underwear": "Pour des raisons d’hygiène, les sous-vêtements et les maillots de bain",
        "final sale": f"Cet article était vendu «{NBSP}ni repris ni échangé{NBSP}»{NBSP}:",
        "review": "<h1>Vérifiez votre retour</h1>",
        "total": f"<dt>Avoir</dt><dd>36,35{NBSP}€</dd>",
        "fee": "Les frais de retour pour Linen tee (trop petit) sont déduits",
        "status": "<strong>Étiquette prête</strong>",
        "approved": "<strong>Retour approuvé</strong>",
        "auto": "<p>Approuvé automatiquement.</p>",
        "estimate": f"Montant estimé{NBSP}: <strong>36,35{NBSP}€</strong>",
        "subject": f"Votre retour {{rma}}{NBSP}: étiquette prête",
        "greeting": "Bonjour Ana Silva,",
        "items": f"Articles{NBSP}:\n  1 x Linen tee",
    },
}


@pytest.fixture
def content_dir(content_dir):
    """The test articles, with the sample shop's German and French policy texts."""
    for language in ("de", "fr"):
        (content_dir / language).mkdir()
        shutil.copy(ROOT / "content" / language / "returns-policy.yml", content_dir / language)
    return content_dir


def lang_of(html: str) -> str:
    return re.search(r'<html lang="([\w-]+)"', html).group(1)


def the_return(app) -> ReturnRequest:
    with app.app_context():
        found = db.session.execute(select(ReturnRequest)).scalar_one()
        _ = (found.order, found.lines)
        return found


def emails(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def return_in(app, page_language: str, method: str = "label", **order) -> tuple[str, str]:
    """A return of one linen tee started on the pages of `page_language` ("" for English),
    sent back by `method`; (RMA, status page path)."""
    tee = line_ids(app, make_order(app, **order))[0]
    customer = app.test_client()
    prefix = f"/{page_language}" if page_language else ""
    assert look_up(customer, prefix=prefix).status_code == 303
    fields = {f"qty-{tee}": "1", f"reason-{tee}": "damaged", "method": method}
    chosen = choose(customer, prefix, **fields)
    assert chosen.status_code == 303
    status = confirm(customer, prefix)[0].headers["Location"]
    return the_return(app).rma_number, status


@pytest.mark.parametrize("lang", WORDS)
def test_a_return_from_lookup_to_status_page_in_german_and_french(app, client, lang):
    words = WORDS[lang]
    tee = line_ids(app, make_order(app, currency="EUR"))[0]
    lookup = client.get(f"/{lang}/returns/").text
    assert lang_of(lookup) == lang and f"<h1>{words['lookup']}</h1>" in lookup
    assert f'hreflang="{lang}"' in lookup  # a translated page offers its languages

    found = look_up(client, prefix=f"/{lang}")
    assert found.headers["Location"] == f"/{lang}/returns/start"
    start = client.get(f"/{lang}/returns/start").text
    for key in ("start", "price", "reason", "underwear", "final sale"):
        assert words[key] in start, key

    chosen = choose(
        client,
        f"/{lang}",
        **{f"qty-{tee}": "1", f"reason-{tee}": "too_small"},
        resolution="store_credit",
    )
    assert chosen.headers["Location"] == f"/{lang}/returns/review"
    review = client.get(f"/{lang}/returns/review").text
    for key in ("review", "total", "fee"):
        assert words[key] in review, key

    done = confirm(client, f"/{lang}")[0]
    assert done.headers["Location"].startswith(f"/{lang}/returns/")
    status = client.get(done.headers["Location"]).text
    assert lang_of(status) == lang
    for key in ("status", "approved", "auto", "estimate"):
        assert words[key] in status, key

    ret = the_return(app)
    assert ret.language == lang
    [email] = emails(app)
    assert email.subject == words["subject"].format(rma=ret.rma_number)
    assert email.body.startswith(words["greeting"]) and words["items"] in email.body
    links = re.findall(r"https://\S+", email.body)
    assert links and all(
        link.startswith(f"https://help.example.test/{lang}/returns/") for link in links
    )
    assert " the " not in email.body and "Hello" not in email.body  # no English left


def test_the_orders_language_from_the_shop_wins_over_the_page(app):
    return_in(app, "de", language="fr")
    assert the_return(app).language == "fr"
    [email] = emails(app)
    assert email.subject.startswith("Votre retour") and "/fr/returns/" in email.body


def test_a_return_started_in_english_is_written_to_in_english(app):
    return_in(app, "")
    assert the_return(app).language == "en"
    [email] = emails(app)
    assert (
        email.subject.endswith(": label ready")
        and "https://help.example.test/returns/" in email.body
    )


def test_staff_on_the_english_back_office_email_a_german_customer_in_german(app):
    rma, status_path = return_in(app, "de")
    agent = signed_in(app, "agent")
    receive_all(agent, app, rma)
    tee = the_return(app).lines[0].id
    post(agent, f"/staff/returns/{rma}/inspect", **{f"inspection-{tee}": "accepted"})
    page = agent.get(f"/staff/returns/{rma}").text
    assert lang_of(page) == "en" and "Refundable: $39.00 of $39.00" in page  # staff: English
    refund_in_two_steps(agent, rma, amount="39.00", key=token_from(page, "key"))
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest)).scalar_one()
        reference = ret.refunds[0].reference
        notes = [event.note for event in ret.events if event.note]
    assert f"$39.00 refunded ({reference})." in notes  # stored as staff read it

    label, received, refunded = emails(app)
    assert received.subject == f"Ihre Rücksendung {rma} ist angekommen"
    assert f"Ihre Rücksendung {rma} ist in unserem Lager angekommen." in received.body
    assert "https://help.example.test/de/returns/" in received.body
    assert refunded.subject == f"Ihre Rücksendung {rma}: Erstattung veranlasst"
    assert f"Wir haben Ihnen für Ihre Rücksendung {rma} 39,00{NBSP}$ erstattet:" in refunded.body
    assert f"- 39,00{NBSP}$ auf Ihre Karte" in refunded.body
    assert "1 x Linen tee: angenommen" in refunded.body

    status = app.test_client().get(status_path).text
    assert "<strong>Erstattung veranlasst</strong>" in status
    # The timeline's notes, stored in English for staff, read in German.
    assert f"<p>39,00{NBSP}$ erstattet ({reference}).</p>" in status
    assert "<p>Eingegangen: 1 × Linen tee.</p>" in status
    assert "<p>Linen tee: angenommen.</p>" in status


def test_the_expiry_command_emails_in_the_returns_language(app):
    rma, _ = return_in(app, "fr")
    issued_days_ago(app, rma, 31)
    result = app.test_cli_runner().invoke(args=["returns", "expire"])
    assert result.exit_code == 0 and rma in result.output
    expired = emails(app)[-1]
    assert expired.subject == f"Votre retour {rma}{NBSP}: l’étiquette a expiré"
    assert "L’étiquette de votre retour" in expired.body
    assert "https://help.example.test/fr/returns/" in expired.body


def test_form_errors_and_lookup_messages_in_the_pages_language(app, client):
    token = token_from(client.get("/de/returns/").text)
    empty = client.post("/de/returns/", data={"csrf_token": token, "order_number": ""}).text
    assert "Geben Sie Ihre Bestellnummer ein." in empty
    assert "Geben Sie die E-Mail-Adresse oder die Postleitzahl der Bestellung ein." in empty
    token = token_from(client.get("/fr/returns/find").text)
    wrong = client.post(
        "/fr/returns/find", data={"csrf_token": token, "rma_number": "RMA-1", "email": "x"}
    ).text
    assert "Saisissez une adresse e-mail comme nom@example.com." in wrong  # the help center's


def test_nothing_to_return_yet_in_french(app, client):
    make_order(app, delivered_days_ago=None)
    look_up(client, prefix="/fr")
    start = client.get("/fr/returns/start").text
    assert "Aucun article de cette commande ne peut être retourné" in start
    assert "Cette commande n’a pas encore été livrée." in start
    assert 'href="/fr/search?q=suivre+ma+commande"' in start


def test_money_is_written_the_languages_way(app):
    with app.app_context():
        assert (money(123450), money(-595), money(1200, "XYZ")) == (
            "$1,234.50",
            "-$5.95",
            "12.00 XYZ",
        )
        assert money(123450, "EUR") == "€1,234.50"
        with written_in("de"):
            assert money(123450) == f"1.234,50{NBSP}$"
            assert money(-595, "EUR") == f"-5,95{NBSP}€"
            assert money(1200, "XYZ") == f"12,00{NBSP}XYZ"
            assert long_date(date(2026, 12, 5)) == "5. Dezember 2026"
        with written_in("fr"):
            assert money(123450) == f"1\u202f234,50{NBSP}$US"
        assert money(123450) == "$1,234.50"  # the language ends with the block


def test_phrases_are_english_until_said_in_a_language(app):
    closed = Phrase("The return window for this item closed on %(date)s.", date=date(2026, 12, 5))
    size = Phrase(
        "%(name)s is larger than %(size)s.", name="a.jpg", size=Phrase("%(num)s MB", num="10")
    )
    assert closed == "The return window for this item closed on 5 December 2026."
    assert size == "a.jpg is larger than 10 MB."
    with app.app_context(), written_in("de"):
        assert (
            translated(closed)
            == "Die Rückgabefrist für diesen Artikel ist am 5. Dezember 2026 abgelaufen."
        )
        both = Phrase.joined([closed, Phrase("Choose a reason for returning this item.")])
        assert translated(both).endswith(
            " Wählen Sie einen Grund für die Rücksendung dieses Artikels."
        )
        assert translated("Staff's own words") == "Staff's own words"


@pytest.mark.parametrize(
    ("note", "german"),
    [
        (timeline.APPROVED_AUTOMATICALLY, "Automatisch genehmigt."),
        ("$1,205.00 refunded (re_1). " + timeline.LOST_IN_TRANSIT,
         f"1.205,00{NBSP}$ erstattet (re_1). Das Paket ist auf dem Transportweg verloren "
         "gegangen. Deshalb haben wir erstattet, ohne darauf zu warten."),
        ("Further refund: $5.00 refunded (re_2).",
         f"Weitere Erstattung: 5,00{NBSP}$ erstattet (re_2)."),
        ("Tee: accepted. Hat: not accepted (worn, tags gone).",
         "Tee: angenommen. Hat: nicht angenommen (worn, tags gone)."),
        ("Hat: not accepted (worn). Tee: accepted.",
         "Hat: nicht angenommen (worn). Tee: angenommen."),
        ("The label wasn't used within 30 days, so it has expired.",
         "Das Etikett wurde nicht innerhalb von 30 Tagen verwendet und ist deshalb abgelaufen."),
        ("The label wasn't used within 1 day, so it has expired. Approved automatically.",
         "Das Etikett wurde nicht innerhalb von 1 Tag verwendet und ist deshalb abgelaufen. "
         "Automatisch genehmigt."),
        ("The label wasn't used within a few days, so it has expired.", None),  # no number
        ("Parcel was wet. Approved automatically.", None),  # staff's words: as written
    ],
)  # fmt: skip
def test_timeline_notes_are_read_back_into_their_messages(app, note, german):
    read = timeline.read(note, "USD")
    assert (read is None) == (german is None)
    if read is not None:
        assert read == note  # the same English text
        with app.app_context(), written_in("de"):
            assert translated(read) == german
    assert timeline.read("$5.00 refunded (re_9).", "EUR").values["amount"] == Amount(500, "EUR")


def test_policy_texts_per_language_fall_back_to_english(content_dir):
    (content_dir / "de" / "returns-policy.yml").write_text(
        "reasons:\n  too_small:\n    label: Zu eng\nmethods:\n  label:\n    label: ''\n",
        encoding="utf-8",
    )
    policy = load_policy(content_dir)
    german = policy.in_language("de")
    assert german.reasons["too_small"].label == "Zu eng"
    assert german.reasons["too_large"].label == "Too large"  # not translated: English
    assert german.methods["label"] == "Print a prepaid label"  # empty: English
    assert german.non_returnable["gift-cards"] == "Gift cards can't be returned."
    assert policy.reasons["too_small"].label == "Too small"  # the policy itself is unchanged
    french = policy.in_language("fr")
    assert french.resolutions["store_credit"] == "Avoir"
    assert french.reasons["too_small"].free is False  # the rules are the main file's
    assert policy.in_language("es") is policy and policy.text_problems == ()


def test_content_check_reports_a_broken_translation_file_with_its_line(make_app, content_dir):
    (content_dir / "de" / "returns-policy.yml").write_text(
        "reasons:\n  too_small:\n    label: Zu klein\n  too_smal:\n    label: Zu eng\n"
        "window_days: 40\n",
        encoding="utf-8",
    )
    (content_dir / "fr" / "returns-policy.yml").write_text(
        "reasons:\n  too_small:\n    label: [Trop petit\n", encoding="utf-8"
    )
    app = make_app()
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        "de/returns-policy.yml:6: window_days is not a text of the return policy "
        "(numbers and rules are in the main file)" in lines
    )
    fr = next(line for line in lines if line.startswith("fr/returns-policy.yml:"))
    assert fr.startswith("fr/returns-policy.yml:4: ") and "is not valid YAML" in fr
    # The pages go on, in English words where the file couldn't be read.
    client = app.test_client()
    make_order(app)
    look_up(client, prefix="/fr")
    start = client.get("/fr/returns/start").text
    assert '<option value="too_small" >Too small</option>' in start
    assert "<h1>Choisissez ce que vous renvoyez</h1>" in start


def test_content_check_names_a_reason_the_policy_doesnt_have(app, content_dir):
    (content_dir / "de" / "returns-policy.yml").write_text(
        "reasons:\n  too_small:\n    label: Zu klein\n  too_smal:\n    label: Zu eng\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert (
        "de/returns-policy.yml:4: reasons: too_smal is not a reason of the return policy"
        in result.output.splitlines()
    )


def test_the_sample_shops_policy_texts_are_complete():
    policy = load_policy(ROOT / "content")
    assert policy.text_problems == ()
    for language in ("de", "fr"):
        wording = policy.texts[language]
        assert set(wording.reasons) == set(policy.reasons), language
        assert set(wording.non_returnable_categories) == set(policy.non_returnable), language
        assert set(wording.resolutions) == set(policy.resolutions), language
        assert set(wording.methods) == set(policy.methods), language


@pytest.mark.parametrize(
    ("method", "note"),
    [
        ("label", "Kleben Sie dieses Etikett auf das Paket oder zeigen Sie den QR-Code"),
        ("drop_off", "Zeigen Sie diesen QR-Code in einer beliebigen Annahmestelle vor"),
    ],
)
def test_the_labels_notes_to_the_customer_are_in_the_pages_language(app, tmp_path, method, note):
    """The label and packing slip are read by the carrier and the warehouse, in the shop's
    words; what they tell the customer to do is in the customer's language, the note its
    return method's."""
    _, status_path = return_in(app, "de", method)
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(app.test_client().get(f"{status_path}/label.pdf").data)
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    text = " ".join(done.stdout.split())
    assert note in text
    assert "Legen Sie diesen Rücksendeschein oben auf die Artikel ins Paket" in text
    assert "Reason: Arrived damaged" in text and "PACKING SLIP" in text
