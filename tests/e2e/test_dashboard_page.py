"""The public dashboard (/dashboard) in headless Chromium against `make run`'s server: doses recorded over
the API show on the page exactly as getPublicReports counts them, nationally and drilled down through
the state to the district, and the page speaks Hindi when asked."""
import re
import time

import pytest
import requests

from tests.e2e.conftest import screenshot
from tests.e2e.helpers import login
from tests.e2e.test_dose_capture import todays_covishield_session
from tests.helpers import aadhaar, person

pytestmark = pytest.mark.e2e
REPORTS = "/v1/reports/v2/getPublicReports"
STATE, DISTRICT = "21", "395"  # Maharashtra, Mumbai: where the demo vaccinator works
MOBILE, SEEDS = "9123400401", (7401, 7402, 7403)  # a fresh citizen and the three people on their mobile
# the page's figure (data-testid) -> its number in getPublicReports' topBlock.vaccination
FIGURES = {"total-doses": "total_doses", "today-doses": "today", "dose-1": "tot_dose_1", "dose-2": "tot_dose_2",
           "dose-pd": "tot_pd", "people-vaccinated": "total", "fully-vaccinated": "tot_dose_2"}


def reports(url: str, state: str = "", district: str = "") -> dict:
    answer = requests.get(f"{url}{REPORTS}", params={"state_id": state, "district_id": district, "date": ""},
                          timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def expected(answer: dict) -> dict[str, int]:
    vaccination = answer["topBlock"]["vaccination"]
    return {testid: vaccination[key] for testid, key in FIGURES.items()}


def shown(page) -> dict[str, int]:
    """The page's figures as numbers (formatted in the reader's language: digits only)."""
    return {testid: int(re.sub(r"\D", "", page.get_by_test_id(testid).inner_text())) for testid in FIGURES}


def open_view(page, view: str) -> None:
    """Wait until the page has drawn the answer for `view` (its URL hash: main's data-view)."""
    page.wait_for_selector(f'main[data-view="{view}"]', timeout=15_000)


def assert_page_shows_the_api(page, url: str, view: str, state: str = "", district: str = "") -> dict:
    """The page's figures equal the API's read just after them. Other tests record doses on the same
    server: when the two reads straddle a dose, the page is read again once."""
    for attempt in range(2):
        on_page, answer = shown(page), reports(url, state, district)
        if on_page == expected(answer) or attempt:
            break
        page.reload()
        open_view(page, view)
    assert on_page == expected(answer), (view, on_page, answer["topBlock"]["vaccination"])
    return answer


def record_doses(url: str, vaccinator: dict) -> None:
    """Three people (a man, a woman, another) on one fresh mobile walk in to today's Covishield session in
    Mumbai and get dose 1."""
    citizen = login(url, MOBILE)
    session_id = todays_covishield_session(url, vaccinator)
    for seed, gender_id in zip(SEEDS, (1, 2, 3), strict=True):
        registered = requests.post(f"{url}/v2/registration/beneficiary/new", headers=citizen, timeout=10,
                                   json=person(seed, gender_id=gender_id))
        assert registered.status_code == 200, registered.text
        recorded = requests.post(f"{url}/v2/vaccination/doses", headers=vaccinator, timeout=10, json={
            "beneficiary_reference_id": registered.json()["beneficiary_reference_id"], "session_id": session_id,
            "vaccine": "COVISHIELD", "batch": "4121Z025", "dose": 1, "photo_id_type": 1,
            "id_last4": aadhaar(seed)[-4:]})
        assert recorded.status_code == 201, recorded.text


def wait_for_district_doses(url: str, at_least: int) -> None:
    """The reports are aggregated from the dose stream: a second or two behind the doses."""
    deadline = time.monotonic() + 30
    while (doses := reports(url, STATE, DISTRICT)["topBlock"]["vaccination"]["total_doses"]) < at_least:
        assert time.monotonic() < deadline, f"the district shows {doses} doses 30 s after the doses, not {at_least}"
        time.sleep(0.3)


def test_the_dashboard_shows_the_api_figures_from_the_country_down_to_the_district(server_url, vaccinator, page):
    url = server_url
    before = reports(url, STATE, DISTRICT)["topBlock"]["vaccination"]["total_doses"]
    record_doses(url, vaccinator)
    wait_for_district_doses(url, before + len(SEEDS))

    page.goto(f"{url}/dashboard")
    open_view(page, "#")
    national = assert_page_shows_the_api(page, url, "#")
    assert national["topBlock"]["vaccination"]["today"] >= len(SEEDS)
    screenshot(page, "dashboard")

    page.get_by_test_id(f"area-row-{STATE}").get_by_role("link").click()
    open_view(page, f"#state={STATE}")
    state = assert_page_shows_the_api(page, url, f"#state={STATE}", STATE)
    [row] = [r for r in state["getBeneficiariesGroupBy"] if str(r["district_id"]) == DISTRICT]
    district_row = page.get_by_test_id(f"area-row-{DISTRICT}")
    assert int(re.sub(r"\D", "", district_row.get_by_test_id("area-total").inner_text())) == row["total"]

    district_row.get_by_role("link").click()
    view = f"#state={STATE}&district={DISTRICT}"
    open_view(page, view)
    district = assert_page_shows_the_api(page, url, view, STATE, DISTRICT)
    assert district["topBlock"]["vaccination"]["total_doses"] >= before + len(SEEDS)
    crumbs = page.get_by_test_id("breadcrumb").get_by_role("listitem").all_inner_texts()
    assert [c.strip("› ") for c in crumbs] == ["Whole country", "Maharashtra", "Mumbai"], crumbs
    screenshot(page, "dashboard-district")

    page.go_back()  # the drill-down is in the URL: back goes up to the state
    open_view(page, f"#state={STATE}")
    assert page.get_by_test_id("area-name").inner_text() == "Maharashtra"

    # Hindi: the page's words from the catalogue (/v2/web/texts), the names from the API (Accept-Language)
    texts = requests.get(f"{url}/v2/web/texts", params={"lang": "hi_IN"}, timeout=10).json()
    assert texts["language"] == "hi_IN"
    page.get_by_test_id("language").select_option("hi_IN")
    page.wait_for_function("() => document.querySelector('[data-testid=area-name]').textContent === 'महाराष्ट्र'")
    assert page.evaluate("document.documentElement.lang") == "hi-IN"
    open_view(page, f"#state={STATE}")
    assert_page_shows_the_api(page, url, f"#state={STATE}", STATE)  # the same numbers in every language
    title = texts["texts"].get("Vaccination dashboard", "Vaccination dashboard")
    assert page.get_by_test_id("title").inner_text() == title
    assert title != "Vaccination dashboard", "the hi_IN catalogue has no translation of the page's title"
