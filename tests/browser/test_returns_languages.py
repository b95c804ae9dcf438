"""A customer returns an item in German and in French, with JavaScript on and off: from the
lookup to the status page, every page in the language (its words, `lang`, the amounts written
the language's way) and axe-core finding nothing where it can run."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import ReturnRequest
from tests.browser.test_staff import Axe
from tests.conftest import ROOT
from tests.returns_helpers import make_order

NBSP = "\u00a0"
WALKS = {
    "de": {
        "lookup": "Rücksendung starten",
        "order number": "Bestellnummer",
        "contact": "E-Mail-Adresse oder Postleitzahl der Lieferadresse",
        "find": "Bestellung finden",
        "start": "Wählen Sie aus, was Sie zurückschicken",
        "underwear": "Unterwäsche und Bademode können aus Hygienegründen nicht",
        "return it": "Diesen Artikel zurücksenden",
        "how many": "Anzahl für die Rücksendung",
        "reason": "Grund",
        "too small": "Zu klein",
        "store credit": "Guthaben",
        "continue": "Weiter",
        "before": "Bevor Sie es zurückschicken",
        "guide": "Größenratgeber für Kleidung",
        "go on": "Mit meiner Rücksendung fortfahren",
        "review": "Rücksendung überprüfen",
        "total": f"36,35{NBSP}$",
        "confirm": "Rücksendung bestätigen",
        "status": "Etikett bereit",
        "timeline": "Verlauf",
        "requested": "Rücksendung angemeldet",
        "download": "Etikett herunterladen (PDF)",
    },
    "fr": {
        "lookup": "Faire un retour",
        "order number": "Numéro de commande",
        "contact": "Adresse e-mail ou code postal de livraison",
        "find": "Retrouver ma commande",
        "start": "Choisissez ce que vous renvoyez",
        "underwear": "Pour des raisons d’hygiène, les sous-vêtements",
        "return it": "Retourner cet article",
        "how many": "Quantité à retourner",
        "reason": "Motif",
        "too small": "Trop petit",
        "store credit": "Avoir",
        "continue": "Continuer",
        "before": "Avant de le renvoyer",
        "guide": "Guide des tailles vêtements",
        "go on": "Poursuivre mon retour",
        "review": "Vérifiez votre retour",
        "total": f"36,35{NBSP}$US",
        "confirm": "Confirmer le retour",
        "status": "Étiquette prête",
        "timeline": "Historique",
        "requested": "Retour demandé",
        "download": "Télécharger l’étiquette (PDF)",
    },
}


@pytest.fixture
def app(make_app):
    """The shipped content: its German and French policy texts and size guides."""
    return make_app(CONTENT_DIR=str(ROOT / "content"))


@pytest.mark.parametrize("lang", WALKS)
def test_a_whole_return_in_another_language(
    app, live_url, page, lang, axe_script, subtests, request
):
    words = WALKS[lang]
    axe = Axe(page, live_url, axe_script, subtests, request.node.callspec.params["page"])
    make_order(app)
    html = page.locator("html")
    heading = page.get_by_role("heading", level=1)

    page.goto(f"{live_url}/{lang}/returns/")
    expect(html).to_have_attribute("lang", lang)
    expect(heading).to_have_text(words["lookup"])
    axe.check(f"{lang}: lookup")
    page.get_by_label(words["order number"]).fill("JP-10001")
    page.get_by_label(words["contact"]).fill("ana@example.com")
    page.get_by_role("button", name=words["find"]).click()

    expect(heading).to_have_text(words["start"])
    expect(html).to_have_attribute("lang", lang)
    expect(page.get_by_text(words["underwear"])).to_be_visible()
    axe.check(f"{lang}: choose the items")
    tee = page.get_by_role("group", name="Linen tee")
    tee.get_by_label(words["return it"]).check()
    tee.get_by_label(words["how many"]).select_option("1")
    tee.get_by_label(words["reason"], exact=True).select_option(label=words["too small"])
    page.get_by_label(words["store credit"]).check()
    page.get_by_role("button", name=words["continue"]).click()

    expect(heading).to_have_text(words["before"])
    guide = page.get_by_role("link", name=words["guide"])
    expect(guide).to_be_visible()
    expect(guide.locator("[lang]")).to_have_count(0)  # the guide is in the page's language
    axe.check(f"{lang}: before you send it back")
    page.get_by_role("button", name=words["go on"]).click()

    expect(heading).to_have_text(words["review"])
    expect(page.locator(".estimate .total")).to_contain_text(words["total"])
    axe.check(f"{lang}: review")
    page.get_by_role("button", name=words["confirm"]).click()

    expect(page.get_by_role("status")).to_contain_text(words["status"])
    expect(html).to_have_attribute("lang", lang)
    assert f"/{lang}/returns/" in page.url
    timeline = page.get_by_role("heading", name=words["timeline"]).locator(
        "xpath=following-sibling::ol"
    )
    expect(timeline).to_contain_text(words["requested"])
    expect(page.get_by_role("link", name=words["download"])).to_be_visible()
    axe.check(f"{lang}: status")

    with app.app_context():
        ret = db.session.execute(select(ReturnRequest)).scalar_one()
        assert (ret.language, ret.status) == (lang, "label_issued")
