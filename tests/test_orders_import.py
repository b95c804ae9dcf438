"""`flask orders import`: CSV and JSON exports, every problem by row, and re-imports by sku."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Order, OrderLine, ReturnLine, ReturnRequest
from app.orders import importer

HEADER = (
    "order_number,email,customer_name,address_line1,address_line2,city,region,postal_code,"
    "country,currency,payment_method,placed_at,delivered_at,sku,name,category,quantity,"
    "unit_price,final_sale,notes"
)
ADDRESS = "Ada Lovelace,1 Main St,,Springfield,IL,62701,us,usd"
BO = "bo@example.com,Bo,2 Side St,Apt 4,Portland,OR,97201,US,USD"
GOOD_CSV = f"""\
{HEADER}
1001,Ada@Example.com,{ADDRESS},card,2026-11-02,2026-11-05T14:30:00,TS-1,T-shirt,Tops,2,19.99,no,gift
1001,Ada@Example.com,{ADDRESS},card,2026-11-02,2026-11-05T14:30:00,SH-9,Sneakers,shoes,1,89,yes,
1002,{BO},wallet,2026-11-03T10:15:00+02:00,,GC-50,Gift card,gift-cards,1,0.29,,
"""


def run(app, *args):
    return app.test_cli_runner().invoke(args=["orders", "import", *map(str, args)])


def write(tmp_path, name, text):
    file = tmp_path / name
    file.write_text(text, encoding="utf-8")
    return file


def orders(app) -> dict[str, Order]:
    with app.app_context():
        found = db.session.scalars(select(Order).options(selectinload(Order.lines))).all()
        db.session.expunge_all()
    return {order.number: order for order in found}


def lines_of(order: Order) -> dict[str, tuple]:
    return {
        line.sku: (line.name, line.category, line.quantity, line.unit_price_cents, line.final_sale)
        for line in order.lines
    }


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_good_csv_file_is_imported_with_exact_values(app, tmp_path):
    result = run(app, write(tmp_path, "orders.csv", GOOD_CSV))

    assert result.exit_code == 0, result.output
    assert result.output == "Imported 2 orders (2 created, 0 updated), 3 lines.\n"
    found = orders(app)
    assert sorted(found) == ["1001", "1002"]
    ada, bo = found["1001"], found["1002"]
    assert (ada.email, ada.customer_name, ada.address_line1, ada.address_line2) == (
        "ada@example.com",
        "Ada Lovelace",
        "1 Main St",
        "",
    )
    assert (ada.city, ada.region, ada.postal_code, ada.country, ada.currency) == (
        "Springfield",
        "IL",
        "62701",
        "US",
        "USD",
    )
    assert ada.payment_method == "card"
    assert ada.placed_at == datetime(2026, 11, 2, tzinfo=UTC)
    assert ada.placed_at.tzinfo == UTC
    assert ada.delivered_at == datetime(2026, 11, 5, 14, 30, tzinfo=UTC)
    assert ada.delivered_at.tzinfo == UTC
    assert lines_of(ada) == {
        "TS-1": ("T-shirt", "tops", 2, 1999, False),
        "SH-9": ("Sneakers", "shoes", 1, 8900, True),
    }
    assert (bo.address_line2, bo.region, bo.payment_method) == ("Apt 4", "OR", "wallet")
    assert bo.placed_at == datetime(2026, 11, 3, 8, 15, tzinfo=UTC)
    assert bo.delivered_at is None
    assert lines_of(bo) == {"GC-50": ("Gift card", "gift-cards", 1, 29, False)}


GOOD_JSON = {
    "orders": [
        {
            "order_number": 2001,
            "email": "cy@example.com",
            "customer_name": "Cy",
            "address_line1": "3 High St",
            "address_line2": None,
            "city": "London",
            "postal_code": "N1 9GU",
            "country": "GB",
            "currency": "GBP",
            "payment_method": "gift_card",
            "placed_at": "2026-10-30T23:59:59Z",
            "delivered_at": "2026-11-01",
            "ignored": "yes",
            "lines": [
                {
                    "sku": "MUG",
                    "name": "Mug",
                    "category": "home",
                    "quantity": 3,
                    "unit_price": 1.15,
                    "final_sale": True,
                },
                {
                    "sku": "SOCK",
                    "name": "Socks",
                    "category": "tops",
                    "quantity": "1",
                    "unit_price": "4.5",
                    "final_sale": 0,
                },
            ],
        }
    ]
}


def test_a_good_json_file_is_imported_with_exact_values(app, tmp_path):
    result = run(app, write(tmp_path, "orders.json", json.dumps(GOOD_JSON)))

    assert result.exit_code == 0, result.output
    assert "Imported 1 orders (1 created, 0 updated), 2 lines." in result.output
    order = orders(app)["2001"]
    assert (order.email, order.city, order.region, order.country, order.currency) == (
        "cy@example.com",
        "London",
        "",
        "GB",
        "GBP",
    )
    assert order.payment_method == "gift_card"
    assert order.placed_at == datetime(2026, 10, 30, 23, 59, 59, tzinfo=UTC)
    assert order.delivered_at == datetime(2026, 11, 1, tzinfo=UTC)
    assert order.delivered_at.tzinfo == UTC
    # 1.15 * 100 is 114.99999999999999 in floats: the importer reads JSON numbers as Decimal.
    assert lines_of(order) == {
        "MUG": ("Mug", "home", 3, 115, True),
        "SOCK": ("Socks", "tops", 1, 450, False),
    }


def test_a_bare_json_list_of_orders_is_accepted(app, tmp_path):
    result = run(app, write(tmp_path, "orders.json", json.dumps(GOOD_JSON["orders"])))
    assert result.exit_code == 0, result.output
    assert list(orders(app)) == ["2001"]


BAD_CSV = f"""\
{HEADER}
3001,good@example.com,{ADDRESS},card,2026-11-02,,OK-1,Fine,tops,1,10.00,,
3002,not-an-email,{ADDRESS},card,2026-11-02,,A-1,Shirt,tops,0,19.999,,
3002,not-an-email,{ADDRESS},card,2026-11-02,,A-1,Shirt again,tops,1,5,,

3003,c@example.com,{ADDRESS},cash,yesterday,,B-1,Belt,,1,-1,maybe,
3003,other@example.com,{ADDRESS},cash,yesterday,,B-2,Bag,bags,1,abc,,
3004,d@example.com,Dee,,,Town,,1000,USA,EURO,card,2026-11-05,2026-11-04,,Hat,hats,1.5,$5,,
"""


def test_a_bad_csv_file_lists_every_problem_by_row_and_imports_nothing(app, tmp_path):
    result = run(app, write(tmp_path, "orders.csv", BAD_CSV))

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "row 3: email 'not-an-email' is not an email address",
        "row 3: quantity '0' is not a positive whole number",
        "row 3: unit_price '19.999' has more than 2 decimals",
        "row 4: sku 'A-1' is already in this order (row 3)",
        "row 6: payment_method 'cash' is not one of card, wallet, gift_card",
        "row 6: placed_at 'yesterday' is not an ISO date or date and time",
        "row 6: category is missing",
        "row 6: unit_price '-1' is negative",
        "row 6: final_sale 'maybe' is not one of true, false, yes, no, 1, 0",
        "row 7: email 'other@example.com' differs from 'c@example.com' on row 6 for the same order",
        "row 7: unit_price 'abc' is not a price like 49.95",
        "row 8: address_line1 is missing",
        "row 8: country 'USA' is not a 2-letter code",
        "row 8: currency 'EURO' is not a 3-letter code",
        "row 8: delivered_at is before placed_at",
        "row 8: sku is missing",
        "row 8: quantity '1.5' is not a positive whole number",
        "row 8: unit_price '$5' is not a price like 49.95",
        "18 problem(s); nothing imported.",
    ]
    assert count(app, Order) == 0  # not even order 3001, whose row is good
    assert count(app, OrderLine) == 0


@pytest.mark.parametrize(
    ("price", "problem"),
    [
        ("19.999", "unit_price '19.999' has more than 2 decimals"),
        ("-1", "unit_price '-1' is negative"),
        ("abc", "unit_price 'abc' is not a price like 49.95"),
        ("", "unit_price is missing"),
        ("1e3", "unit_price '1e3' is not a price like 49.95"),
    ],
)
def test_bad_prices_are_rejected(app, tmp_path, price, problem):
    row = f"4001,e@example.com,{ADDRESS},card,2026-11-02,,P-1,Pen,office,1,{price},,"
    result = run(app, write(tmp_path, "orders.csv", f"{HEADER}\n{row}\n"))
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"row 2: {problem}"
    assert count(app, Order) == 0


@pytest.mark.parametrize(
    ("price", "cents"), [("49.95", 4995), ("0", 0), ("7.5", 750), ("1.10", 110)]
)
def test_prices_become_exact_cents(app, tmp_path, price, cents):
    row = f"4002,e@example.com,{ADDRESS},card,2026-11-02,,P-1,Pen,office,1,{price},,"
    result = run(app, write(tmp_path, "orders.csv", f"{HEADER}\n{row}\n"))
    assert result.exit_code == 0, result.output
    assert orders(app)["4002"].lines[0].unit_price_cents == cents


def test_json_problems_name_the_order_and_the_line(app, tmp_path):
    bad = json.loads(json.dumps(GOOD_JSON["orders"]))
    bad[0]["lines"][1]["unit_price"] = 0.001
    bad[0]["lines"][1]["sku"] = "MUG"
    second = dict(bad[0], email="nope", lines=[])
    result = run(app, write(tmp_path, "orders.json", json.dumps([bad[0], second, "x"])))

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "row 1: line 2: unit_price '0.001' has more than 2 decimals",
        "row 1: line 2: sku 'MUG' is already in this order (line 1)",
        "row 2: order 2001 is also on row 1",
        "row 2: email 'nope' is not an email address",
        "row 2: the order has no lines",
        "row 3: the order is not an object",
        "6 problem(s); nothing imported.",
    ]
    assert count(app, Order) == 0


def reimport_csv(*rows: str) -> str:
    start = f"5001,f@example.com,{ADDRESS},card,2026-11-02"
    return HEADER + "\n" + "".join(f"{start},{row}\n" for row in rows)


def test_reimport_updates_the_order_and_its_lines_by_sku(app, tmp_path):
    first = reimport_csv(
        ",KEEP,Kept,tops,1,10.00,no,",
        ",DROP,Dropped,tops,1,5.00,no,",
        ",RET,Returned,tops,1,7.00,no,",
    )
    assert run(app, write(tmp_path, "v1.csv", first)).exit_code == 0
    with app.app_context():
        order = db.session.scalar(select(Order))
        ids = {line.sku: line.id for line in order.lines}
        request = ReturnRequest(
            rma_number="RMA-1",
            public_token="t",
            idempotency_key="k",
            order_id=order.id,
            status="requested",
            resolution="refund",
            method="label",
        )
        request.lines.append(ReturnLine(order_line_id=ids["RET"], quantity=1, reason_code="x"))
        db.session.add(request)
        db.session.commit()

    second = reimport_csv(
        "2026-11-06,KEEP,Kept,tops,3,12.50,yes,",
        "2026-11-06,NEW,Added,shoes,1,60,,",
    )
    for _ in range(2):  # importing the same file twice changes nothing more
        result = run(app, write(tmp_path, "v2.csv", second))
        assert result.exit_code == 0, result.output
        assert "Imported 1 orders (0 created, 1 updated), 2 lines." in result.output

        found = orders(app)
        assert list(found) == ["5001"]
        order = found["5001"]
        assert order.delivered_at == datetime(2026, 11, 6, tzinfo=UTC)
        assert lines_of(order) == {
            "KEEP": ("Kept", "tops", 3, 1250, True),
            "RET": ("Returned", "tops", 1, 700, False),  # a return points at it: kept as it was
            "NEW": ("Added", "shoes", 1, 6000, False),
        }
        by_sku = {line.sku: line.id for line in order.lines}
        assert by_sku["KEEP"] == ids["KEEP"]
        assert by_sku["RET"] == ids["RET"]
        assert by_sku["NEW"] not in ids.values()
        assert count(app, OrderLine) == 3
        assert count(app, Order) == 1


def test_an_unsupported_file_type_is_a_clear_error(app, tmp_path):
    result = run(app, write(tmp_path, "orders.xlsx", "whatever"))
    assert result.exit_code == 1
    assert "orders.xlsx: unsupported file type; use a .csv or .json file" in result.output
    assert count(app, Order) == 0


def test_a_missing_file_is_a_clear_error(app, tmp_path):
    result = run(app, tmp_path / "nowhere.csv")
    assert result.exit_code == 1
    assert "nowhere.csv: no such file" in result.output


def test_a_csv_without_required_columns_is_a_clear_error(app, tmp_path):
    result = run(app, write(tmp_path, "orders.csv", "order_number,email\n1,a@b.co\n"))
    assert result.exit_code == 1
    assert "orders.csv: missing column(s): customer_name, address_line1" in result.output


def test_malformed_json_is_a_clear_error(app, tmp_path):
    result = run(app, write(tmp_path, "orders.json", '{"orders": [}'))
    assert result.exit_code == 1
    assert "orders.json: not valid JSON" in result.output


def test_a_number_thousands_of_digits_long_is_a_row_problem(app, tmp_path):
    bad = json.loads(json.dumps(GOOD_JSON["orders"]))
    bad[0]["lines"][0]["quantity"] = "QUANTITY"
    bad[0]["lines"][1]["unit_price"] = "PRICE"
    text = json.dumps(bad).replace('"QUANTITY"', "9" * 5000).replace('"PRICE"', "9" * 5000)
    result = run(app, write(tmp_path, "orders.json", text))
    assert result.exit_code == 1
    problems = result.output.splitlines()
    assert problems[0].startswith("row 1: line 1: quantity '99999")
    assert problems[0].endswith("9… is not a positive whole number")
    assert problems[1].startswith("row 1: line 2: unit_price '9999")
    assert "Traceback" not in result.output and count(app, Order) == 0


def test_deeply_nested_json_is_a_clear_error(app, tmp_path):
    result = run(app, write(tmp_path, "orders.json", "[" * 100_000 + "]" * 100_000))
    assert result.exit_code == 1 and not isinstance(result.exception, RecursionError)
    assert "orders.json: not valid JSON: nested too deeply" in result.output


def test_a_control_character_in_a_field_is_refused(app, tmp_path):
    nul = GOOD_CSV.replace("Ada@Example.com,Ada", "Ada@Example.com,A\x00da", 1)
    result = run(app, write(tmp_path, "orders.csv", nul))
    assert result.exit_code == 1
    assert "row 2: customer_name contains a control character (such as NUL)" in result.output
    assert count(app, Order) == 0


def test_a_csv_with_a_bom_and_windows_line_endings_imports(app, tmp_path):
    file = tmp_path / "orders.csv"
    file.write_bytes(("\ufeff" + GOOD_CSV.replace("\n", "\r\n")).encode("utf-8"))

    result = run(app, file)

    assert result.exit_code == 0, result.output
    assert "Imported 2 orders (2 created, 0 updated), 3 lines." in result.output
    found = orders(app)
    assert lines_of(found["1002"]) == {"GC-50": ("Gift card", "gift-cards", 1, 29, False)}
    assert found["1002"].delivered_at is None


def test_row_numbers_count_lines_in_a_windows_file(app, tmp_path):
    file = tmp_path / "orders.csv"
    text = "\ufeff" + BAD_CSV.replace("\n", "\r\n")
    file.write_bytes(text.encode("utf-8"))
    result = run(app, file)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "row 3: email 'not-an-email' is not an email address"
    assert "row 8: sku is missing" in result.output.splitlines()


def test_an_order_number_in_another_case_or_spacing_is_the_same_order(app, tmp_path):
    assert run(app, write(tmp_path, "orders.json", json.dumps(GOOD_JSON))).exit_code == 0
    again = json.loads(json.dumps(GOOD_JSON))
    again["orders"][0]["order_number"] = " 20 01 "
    result = run(app, write(tmp_path, "again.json", json.dumps(again)))
    assert "(0 created, 1 updated)" in result.output
    assert list(orders(app)) == ["2001"]
    twice = json.loads(json.dumps(GOOD_JSON["orders"]))
    second = dict(twice[0], order_number="２００１")  # fullwidth digits
    result = run(app, write(tmp_path, "twice.json", json.dumps([twice[0], second])))
    assert result.exit_code == 1 and "row 2: order ２００１ is also on row 1" in result.output


PEAK_RSS = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _import_peak_kib(env: dict, file) -> int:
    """The peak memory of `flask orders import FILE`, run as its own process."""
    command = [sys.executable, "-c", PEAK_RSS, sys.executable, "-m", "flask"]
    done = subprocess.run(
        [*command, "orders", "import", str(file)],
        env=env, capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    return int(done.stdout.strip())


def _big_csv(file, orders: int):
    with file.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for n in range(orders):
            for sku in ("TS-1", "SH-9", "GC-50"):
                out.write(
                    f"{50_000 + n},c{n}@example.com,{ADDRESS},card,2026-11-02,"
                    f"2026-11-05T14:30:00,{sku},Item {sku},tops,1,19.99,no,\n"
                )
    return file


def test_a_large_file_imports_in_bounded_memory(tmp_path):
    """Ten times the orders cost no more memory: the file is read as a stream, twice, and
    the orders are written a few hundred at a time (a 35 MB CSV took 640 MB before)."""
    peaks = []
    for orders in (1_000, 10_000):
        instance = tmp_path / f"i{orders}"
        env = {
            **os.environ,
            "FLASK_APP": "app",
            "FRONTDESK_ENV": "development",
            "DATABASE_URL": f"sqlite:///{instance}/orders.db",
            "INSTANCE_PATH": str(instance),
            "INDEX_DIR": str(instance / "index"),
            "SEARCH_INDEX_ON_START": "0",
            "LOG_LEVEL": "WARNING",
        }
        subprocess.run(
            [sys.executable, "-m", "flask", "db", "upgrade"], env=env, check=True,
            capture_output=True, timeout=120,
        )  # fmt: skip
        peaks.append(_import_peak_kib(env, _big_csv(tmp_path / f"{orders}.csv", orders)))
    small, large = peaks
    assert large - small < 30 * 1024, (small, large)


def test_a_json_file_too_large_to_read_whole_is_refused_clearly(app, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "JSON_MAX_BYTES", 100)
    result = run(app, write(tmp_path, "orders.json", json.dumps(GOOD_JSON)))
    assert result.exit_code == 1
    assert "orders.json: a JSON file is read whole, so it can be at most" in result.output
    assert "export CSV, which any size can be" in result.output and count(app, Order) == 0


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://cdn.example.com/tee.jpg", None),
        ("", None),
        ("http://cdn.example.com/tee.jpg", "is not an https address"),
        ("javascript:alert(1)", "is not an https address"),
        ("https:///tee.jpg", "is not an https address"),
        ("https://cdn.example.com/" + "x" * 500, "is not an https address"),
    ],
)
def test_a_product_image_is_an_https_address(app, tmp_path, url, problem):
    text = f"{HEADER},image_url\n" + (
        f"1001,ada@example.com,{ADDRESS},card,2026-11-02,,TS-1,T-shirt,tops,1,19.99,,,{url}\n"
    )
    result = run(app, write(tmp_path, "orders.csv", text))
    if problem is None:
        assert result.exit_code == 0, result.output
        [line] = orders(app)["1001"].lines
        assert line.image_url == (url or None)
    else:
        assert result.exit_code == 1 and "row 2: image_url" in result.output
        assert problem in result.output


def test_an_order_number_that_grows_when_written_out_is_a_row_problem(app, tmp_path):
    """One Arabic ligature writes out as 15 letters: six of them would not fit the
    column the lookups compare, and PostgreSQL would refuse the whole import."""
    number = "\ufdfa" * 6
    text = f"{HEADER}\n{number},ada@example.com,{ADDRESS},card,2026-11-02,,TS-1,T,tops,1,1,,\n"
    result = run(app, write(tmp_path, "orders.csv", text))
    assert result.exit_code == 1
    assert "row 2: order_number is longer than 80 characters once written out" in result.output
    assert count(app, Order) == 0


@pytest.mark.parametrize("email", ["ada..l@example.com", "ada@shop.local", "ada@[10.0.0.1]"])
def test_an_email_the_returns_forms_would_refuse_is_a_row_problem(app, tmp_path, email):
    """The import checks an email as the returns portal's forms do (email-validator), so
    every imported order can be found by its address."""
    text = f"{HEADER}\n1001,{email},{ADDRESS},card,2026-11-02,,TS-1,T,tops,1,1,,\n"
    result = run(app, write(tmp_path, "orders.csv", text))
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"row 2: email '{email}' is not an email address"
    assert count(app, Order) == 0


def test_a_row_shorter_than_the_header_is_a_row_problem(app, tmp_path):
    """A row that stops before the order_number column was a KeyError; its fields are
    missing like any blank ones."""
    header = "email," + HEADER.replace("email,", "")
    result = run(app, write(tmp_path, "orders.csv", f"{header}\nada@example.com\n"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    problems = result.output.splitlines()
    assert problems[0] == "row 2: order_number is missing"
    assert "row 2: sku is missing" in problems and count(app, Order) == 0


def test_a_json_value_of_the_wrong_kind_names_the_field_and_the_value(app, tmp_path):
    bad = json.loads(json.dumps(GOOD_JSON["orders"]))
    bad[0]["customer_name"] = ["Cy"]
    bad[0]["lines"][0]["sku"] = {"id": 1}
    bad[0]["lines"][1]["final_sale"] = "perhaps"
    result = run(app, write(tmp_path, "orders.json", json.dumps(bad)))
    assert result.output.splitlines() == [
        "row 1: customer_name must be text, got ['Cy']",
        "row 1: line 1: sku must be text, got {'id': Decimal('1')}",
        "row 1: line 2: final_sale 'perhaps' is not one of true, false, yes, no, 1, 0",
        "3 problem(s); nothing imported.",
    ]


ORDER_FIELDS = {
    "order_number": "2001",
    "email": "Cy@Example.com",
    "customer_name": "Cy",
    "address_line1": "3 High St",
    "city": "Leeds",
    "postal_code": "LS1 1AA",
    "country": "gb",
    "currency": "gbp",
    "payment_method": "card",
    "placed_at": "2026-11-04",
}
LINE_FIELDS = {"sku": "HAT-1", "name": "Hat", "category": "Hats", "quantity": "1"}


def test_an_order_from_elsewhere_is_checked_and_saved_by_the_import_rules(app):
    with app.app_context():
        with pytest.raises(importer.OrderProblems) as refused:
            importer.check_order(
                {**ORDER_FIELDS, "email": "cy@"},
                [{**LINE_FIELDS, "unit_price": "12.50"}, {**LINE_FIELDS, "sku": "X\x00"}],
            )
        assert refused.value.problems == [
            "email 'cy@' is not an email address",
            "line 2: sku contains a control character (such as NUL)",
            "line 2: unit_price is missing",
        ]
        assert str(refused.value) == "; ".join(refused.value.problems)

        record = importer.check_order(ORDER_FIELDS, [{**LINE_FIELDS, "unit_price": "12.50"}])
        report = importer.save([record])
        db.session.commit()
        assert (report.created, report.updated, report.lines) == (1, 0, 1)
    saved = orders(app)["2001"]
    assert (saved.email, saved.country, saved.currency) == ("cy@example.com", "GB", "GBP")
    assert lines_of(saved) == {"HAT-1": ("Hat", "hats", 1, 1250, False)}


def test_the_customers_language_is_kept_as_a_site_language(app, tmp_path):
    """A regional tag is its language; a language the site doesn't have is not an error, and
    the order has no language then (the page the customer uses decides)."""
    header = "order_number,email,customer_name,address_line1,city,postal_code,country,currency,"
    header += "payment_method,placed_at,sku,name,category,quantity,unit_price,language"
    rows = [
        f"70{n},c{n}@example.com,C,1 Rue,Paris,75001,FR,EUR,card,2026-11-02,S,Shirt,tops,1,9,{tag}"
        for n, tag in enumerate(["de-DE", "FR", "fr_CA", "es", "", "en"])
    ]
    result = run(app, write(tmp_path, "orders.csv", "\n".join([header, *rows]) + "\n"))
    assert result.exit_code == 0, result.output
    found = {number: order.language for number, order in orders(app).items()}
    assert found == {"700": "de", "701": "fr", "702": "fr", "703": None, "704": None, "705": "en"}

    again = dict(GOOD_JSON["orders"][0], language="fr-BE")
    result = run(
        app,
        write(
            tmp_path,
            "orders.json",
            json.dumps([again, {**again, "order_number": 2002, "language": 7}]),
        ),
    )
    assert result.exit_code == 0, result.output
    assert (orders(app)["2001"].language, orders(app)["2002"].language) == ("fr", None)
