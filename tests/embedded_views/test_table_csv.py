"""The compliance table's "Download CSV": the rows the search, filter and sort select, over every page, of this
company only, for the people the table itself is for; and the table's open-gap counts agree row for row."""

from __future__ import annotations

import csv
import io
import re

from integration.extensions import db
from integration.vendor_table import PAGE_SIZE
from tests import factories
from tests.conftest import signed_in
from tests.embedded_views.test_vendor_table import C, home, on_project, world  # noqa: F401


def table_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_csv_holds_every_page_in_the_tables_order_with_its_search_and_filter(database, world):  # noqa: F811
    for n in range(PAGE_SIZE + 3):
        factories.assignment(world.project, factories.vendor(C, f"Sub {n:03d}", trade="Roofing"))
    on_project(world, "Brick Masonry", "not_compliant", gaps=2, expires_in=20)
    db.session.commit()
    client = signed_in(database, world["viewer"])
    page = client.get(home(world) + "?q=sub&sort=vendor&dir=desc").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" download>Download CSV</a>', page).group(1).replace("&amp;", "&")
    assert "q=sub" in link and "sort=vendor" in link and "dir=desc" in link
    rows = table_of(client.get(link))
    assert rows[0] == ["Vendor", "Trade", "Status", "Open gaps", "Earliest expiry", "Last request", "Next action"]
    assert [r[0] for r in rows[1:]] == [f"Sub {n:03d}" for n in reversed(range(PAGE_SIZE + 3))]  # both pages
    assert rows[1][1:3] == ["Roofing", "Nothing received"]
    brick = table_of(client.get(home(world) + "/vendors.csv?status=not_compliant"))
    assert [r[:4] for r in brick[1:]] == [["Brick Masonry", "", "Not compliant", "2"]]
    assert brick[1][6] == "Send Gaps" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", brick[1][4])


def test_the_csv_is_for_whoever_sees_the_table_and_of_this_company_only(database, world):  # noqa: F811
    other = factories.company(C + 1, "Other GC", "Hidden Vendor")
    hidden = factories.project(C + 1, "Hidden Project")
    factories.assignment(hidden, other.vendor)
    factories.imported(C)
    db.session.commit()
    viewer, admin = signed_in(database, world["viewer"]), signed_in(database, world["admin"])
    assert viewer.get(f"/procore/companies/{C}/vendors.csv").status_code == 403  # the company-wide table: admins
    everyone = table_of(admin.get(f"/procore/companies/{C}/vendors.csv"))
    assert everyone[0][-1] == "Projects" and [r[0] for r in everyone[1:]] == ["Zeta Glazing"]
    assert admin.get(f"/procore/companies/{C}/projects/{hidden.procore_project_id}/vendors.csv").status_code == 404
    foreign = admin.get(f"/procore/companies/{C + 1}/projects/{hidden.procore_project_id}/vendors.csv")
    assert foreign.status_code == 403 and "Hidden Vendor" not in foreign.get_data(as_text=True)
    assert viewer.get(home(world) + "/vendors.csv?sort=price").status_code == 400
    unseen = signed_in(database, world["viewer"], sees=[])  # Procore does not show the project to this user
    assert unseen.get(home(world) + "/vendors.csv").status_code == 403


def test_a_cell_a_spreadsheet_would_run_is_written_as_text(database, world):  # noqa: F811
    on_project(world, "=HYPERLINK(\"http://evil.test\")", "compliant")
    rows = table_of(signed_in(database, world["viewer"]).get(home(world) + "/vendors.csv?sort=vendor"))
    assert rows[1][0] == "'=HYPERLINK(\"http://evil.test\")"


def test_identical_nothing_received_rows_show_the_same_open_gaps(database, world):  # noqa: F811
    on_project(world, "Able Electric", "nothing_received", gaps=1)  # evaluated: "No certificate received"
    on_project(world, "Baker Plumbing", "nothing_received")  # not evaluated yet
    client = signed_in(database, world["viewer"])
    page = client.get(home(world) + "?status=nothing_received").get_data(as_text=True)
    cells = re.findall(r'data-label="Open gaps" class="num">([^<]*)</td>', page)
    assert len(cells) == 2 and cells[0] == cells[1] == "–"
    rows = table_of(client.get(home(world) + "/vendors.csv?status=nothing_received"))
    assert [r[3] for r in rows[1:]] == ["", ""]
