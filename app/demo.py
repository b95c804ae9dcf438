"""Demo data for `make run`: orders that show every case a returns portal meets."""

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.models.catalogue import Variant
from app.models.orders import Order, OrderLine
from app.models.staff import User
from app.returns.carrier import Carrier
from app.returns.payments import PaymentGateway
from app.returns.policy import Policy
from app.returns.processing import record_inspection, record_receipt
from app.returns.refunds import issue_refund, refundable
from app.returns.service import Draft, DraftLine, create_return
from app.staff.auth import create_user


class NoPolicy(Exception):
    """The demo returns can't be made: the return policy can't be loaded."""


@dataclass(frozen=True)
class DemoOrder:
    number: str
    email: str
    postal_code: str
    shows: str


def _line(
    sku: str, name: str, category: str, quantity: int, price: int, final_sale: bool = False
) -> OrderLine:
    """An order line from a row of ORDERS."""
    return OrderLine(
        sku=sku,
        name=name,
        category=category,
        quantity=quantity,
        unit_price_cents=price,
        final_sale=final_sale,
    )


# sku, name, category, quantity, unit price in cents, and final sale when it is
DemoLine = tuple[str, str, str, int, int] | tuple[str, str, str, int, int, bool]
# number, customer, email, street, city, region, postal code, payment, delivered days ago
# (None: not delivered yet), lines, what it shows
DemoRow = tuple[str, str, str, str, str, str, str, str, int | None, list[DemoLine], str]
ORDERS: list[DemoRow] = [
    ("JP-10481", "Maya Chen", "maya.chen@example.com", "418 Alder Street", "Portland", "OR",
     "97214", "card", 6,
     [("SHIRT-LIN-M", "Linen camp shirt, sage, M", "tops", 2, 6400),
      ("TOTE-CNV", "Waxed canvas tote", "bags", 1, 8900),
      ("THROW-WOOL", "Merino throw, oat", "home", 1, 12800)],
     "within the return window: everything can go back"),
    ("JP-10482", "Tomás Ortega", "tomas.ortega@example.com", "77 Quarry Lane", "Boise", "ID",
     "83702", "wallet", 75,
     [("JKT-CHORE-L", "Cotton chore jacket, L", "outerwear", 1, 11800)],
     "past the return window"),
    ("JP-10483", "Priya Natarajan", "priya.n@example.com", "9 Harbor View Road", "Tacoma", "WA",
     "98402", "card", 10,
     [("DRESS-WRAP-S", "Wrap dress, ink, S", "dresses", 1, 9800),
      ("SCARF-SILK", "Silk scarf, sample sale", "accessories", 1, 4200, True),
      ("BRIEF-3PK", "Organic cotton briefs, 3-pack", "underwear", 1, 3600)],
     "a final-sale line and a non-returnable category beside a returnable dress"),
    ("JP-10484", "Sam Okafor", "sam.okafor@example.com", "1500 Canal Street", "Eugene", "OR",
     "97401", "gift_card", 12,
     [("TEE-CREW-M", "Crew tee, 2-pack, M", "tops", 2, 2900),
      ("SNEAK-40", "Canvas sneakers, EU 40", "shoes", 1, 7400)],
     "one tee already on its way back"),
    ("JP-10485", "Lena Fischer", "lena.fischer@example.com", "23 Birch Court", "Spokane", "WA",
     "99201", "card", None,
     [("TOWEL-SET", "Waffle towel set", "home", 1, 5600)],
     "not delivered yet"),
    ("JP-10486", "Jordan Reyes", "jordan.reyes@example.com", "610 Cedar Avenue", "Salem", "OR",
     "97301", "card", 38,
     [("BOOT-CHEL-42", "Leather Chelsea boots, EU 42", "shoes", 1, 16500),
      ("SOCK-WOOL", "Wool hiking socks", "socks", 2, 1800)],
     "shoes still returnable (45-day window) while the socks' 30 days have passed"),
    ("JP-10487", "Noor Haddad", "noor.haddad@example.com", "58 Linden Row", "Olympia", "WA",
     "98501", "card", 20,
     [("SHIRT-LIN-S", "Linen camp shirt, clay, S", "tops", 1, 6400),
      ("TOTE-CNV", "Waxed canvas tote", "bags", 1, 8900)],
     "a return refunded: the shirt accepted, the tote not (its status page and emails)"),
    ("JP-10488", "Ravi Menon", "ravi.menon@example.com", "301 Orchard Way", "Bend", "OR",
     "97701", "card", 9,
     [("SNEAK-40", "Canvas sneakers, EU 40", "shoes", 1, 7400)],
     "an exchange for EU 41 checked at the warehouse, its replacement waiting to be sent"),
    ("JP-10489", "Jonas Weber", "jonas.weber@example.com", "12 Lindenallee", "Portland", "OR",
     "97209", "card", 4,
     [("DRESS-WRAP-M", "Wrap dress, ink, M", "dresses", 1, 9800),
      ("SNEAK-39", "Canvas sneakers, EU 39", "shoes", 1, 7400)],
     "a German-speaking customer: the return's pages and emails in German (/de/returns/)"),
]  # fmt: skip
# The customer's language where the shop knows it (see Order.language).
ORDER_LANGUAGES = {"JP-10489": "de"}

# What exchanges can offer: sku, product, name, option, price in cents, stock. The sage shirt
# in L is down to its last unit, XL is sold out, indigo is cheaper (the difference is
# refunded) and XXL dearer (refused); each demo order's shirt, sneakers or boots has sizes.
CATALOGUE: list[tuple[str, str, str, str, int, int]] = [
    ("SHIRT-LIN-M", "SHIRT-LIN", "Linen camp shirt, sage, M", "sage, M", 6400, 4),
    ("SHIRT-LIN-L", "SHIRT-LIN", "Linen camp shirt, sage, L", "sage, L", 6400, 1),
    ("SHIRT-LIN-XL", "SHIRT-LIN", "Linen camp shirt, sage, XL", "sage, XL", 6400, 0),
    ("SHIRT-LIN-IND-M", "SHIRT-LIN", "Linen camp shirt, indigo, M", "indigo, M", 5400, 3),
    ("SHIRT-LIN-XXL", "SHIRT-LIN", "Linen camp shirt, sage, XXL", "sage, XXL", 6900, 2),
    ("SNEAK-39", "SNEAK", "Canvas sneakers, EU 39", "EU 39", 7400, 3),
    ("SNEAK-40", "SNEAK", "Canvas sneakers, EU 40", "EU 40", 7400, 2),
    ("SNEAK-41", "SNEAK", "Canvas sneakers, EU 41", "EU 41", 7400, 3),
    ("SNEAK-42", "SNEAK", "Canvas sneakers, EU 42", "EU 42", 7400, 0),
    ("BOOT-CHEL-41", "BOOT-CHEL", "Leather Chelsea boots, EU 41", "EU 41", 16500, 2),
    ("BOOT-CHEL-42", "BOOT-CHEL", "Leather Chelsea boots, EU 42", "EU 42", 16500, 1),
    ("BOOT-CHEL-43", "BOOT-CHEL", "Leather Chelsea boots, EU 43", "EU 43", 16500, 1),
    ("DRESS-WRAP-XS", "DRESS-WRAP", "Wrap dress, ink, XS", "ink, XS", 9800, 2),
    ("DRESS-WRAP-S", "DRESS-WRAP", "Wrap dress, ink, S", "ink, S", 9800, 3),
    ("DRESS-WRAP-M", "DRESS-WRAP", "Wrap dress, ink, M", "ink, M", 9800, 1),
]


def demo_orders() -> list[DemoOrder]:
    """The demo orders that are in the database."""
    present = set(
        db.session.execute(
            select(Order.number).where(Order.number.in_([o[0] for o in ORDERS]))
        ).scalars()
    )
    return [DemoOrder(o[0], o[2], o[6], o[10]) for o in ORDERS if o[0] in present]


def seed_demo(
    policy: Policy | None, carrier: Carrier, gateway: PaymentGateway, today: date | None = None
) -> list[DemoOrder]:
    """Create the demo orders (and two returns) when the database has no orders yet; returns
    the ones created. Raises NoPolicy, adding nothing, when there is no policy to make the
    returns with."""
    if db.session.execute(select(func.count(Order.id))).scalar_one():
        return []
    if policy is None:
        raise NoPolicy("The return policy can't be loaded: `flask content check` says why.")
    now = datetime.now(UTC)
    today = today or now.date()
    for sku, product, name, option, price, stock in CATALOGUE:
        db.session.add(
            Variant(sku=sku, product=product, name=name, option=option, price_cents=price,
                    stock=stock)
        )  # fmt: skip
    made = []
    for number, name, email, street, city, region, postal, payment, days, lines, shows in ORDERS:
        delivered = now - timedelta(days=days) if days is not None else None
        order = Order(
            number=number,
            email=email,
            customer_name=name,
            address_line1=street,
            city=city,
            region=region,
            postal_code=postal,
            payment_method=payment,
            placed_at=(delivered or now) - timedelta(days=4),
            delivered_at=delivered,
            lines=[_line(*line) for line in lines],
            language=ORDER_LANGUAGES.get(number),
        )
        db.session.add(order)
        db.session.commit()
        made.append(DemoOrder(number, email, postal, shows))
        if number == "JP-10484":
            tee = order.lines[0]
            draft = Draft(
                order.id, [DraftLine(tee.id, 1, "too_large", "Runs big")], "refund", "label"
            )
            create_return(policy, draft, carrier, today)
        if number == "JP-10487":
            _refunded_in_part(policy, order, carrier, gateway, today)
        if number == "JP-10488":
            _exchange_at_the_warehouse(policy, order, carrier, today)
    return made


def _exchange_at_the_warehouse(policy: Policy, order: Order, carrier: Carrier, today: date) -> None:
    """Sneakers too small, exchanged for the next size up, received and accepted: the
    replacement waits in the staff queue to be sent."""
    sneakers = order.lines[0]
    line = DraftLine(sneakers.id, 1, "too_small", "Half a size small", exchange="SNEAK-41")
    ret = create_return(policy, Draft(order.id, [line], "refund", "label"), carrier, today)
    record_receipt(ret, {f"received-{ret.lines[0].id}": "1"}, "Dana")
    record_inspection(ret, {f"inspection-{ret.lines[0].id}": "accepted"}, "Dana")
    db.session.commit()


def _refunded_in_part(
    policy: Policy, order: Order, carrier: Carrier, gateway: PaymentGateway, today: date
) -> None:
    """A shirt too small and a tote returned as damaged: received, the shirt accepted, the
    tote not (worn, not damaged in transit), and the shirt refunded, each step emailing the
    customer as it would in the shop."""
    shirt, tote = order.lines
    lines = [DraftLine(shirt.id, 1, "too_small"), DraftLine(tote.id, 1, "damaged", "Seam split")]
    ret = create_return(policy, Draft(order.id, lines, "refund", "label"), carrier, today)
    first, second = ret.lines
    record_receipt(ret, {f"received-{first.id}": "1", f"received-{second.id}": "1"}, "Dana")
    record_inspection(
        ret,
        {
            f"inspection-{first.id}": "accepted",
            f"inspection-{second.id}": "rejected",
            f"inspection-reason-{second.id}": "The tote shows wear and a stain from use; "
            "the seam is intact.",
            f"inspection-note-{second.id}": "Grease stain on the base, handles darkened.",
        },
        "Dana",
    )
    db.session.commit()
    due = refundable(policy, ret).remaining_cents
    issue_refund(policy, ret, due, f"demo-{ret.rma_number}", "Dana", gateway)


DEMO_USERS = [
    ("agent@juniperandpine.example", "agent", "Dana"),
    ("editor@juniperandpine.example", "editor", "Eli"),
    ("admin@juniperandpine.example", "admin", "Ada"),
]
SIGN_INS_FILE = "demo-sign-ins.txt"


def seed_demo_users(instance_path: Path) -> bool:
    """One staff account per role, with random passwords written to instance/ (never to the
    repository), when there are no staff accounts yet. True when created."""
    if db.session.execute(select(func.count(User.id))).scalar_one():
        return False
    lines = []
    for email, role, name in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        create_user(email, password, role, name)
        lines.append(f"  {role:<7} {email}  password: {password}")
    (instance_path / SIGN_INS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return True


def demo_sign_ins(instance_path: Path) -> str | None:
    file = instance_path / SIGN_INS_FILE
    return file.read_text(encoding="utf-8") if file.exists() else None
