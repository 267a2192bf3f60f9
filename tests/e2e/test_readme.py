"""The README walkthrough, run as written, twice in a row, on one local server (as on one `make run`):
every shell block of its Walkthrough section, in order, in one bash, stopping at the first failure."""
import re
import subprocess

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e
# What each run must show, in the README's own words (its comments say what a reader will see).
SEEN = ['"USRAUT0014"', "Unauthenticated access!", "304 Not Modified", "BENREG0002", "BENREG0008", '"id_verified":true',
        "APPOIN0018", "USRRES0004", "PLANNG0013", "USRAUT0022", "Security code:", '"status":"verified"',
        "VACCIN0003", '{"beneficiaries":[]}', "application/pdf", '"status":"valid"', '"status": "valid"',
        '"status":"accepted"', '"status":"duplicate"', "Vikram Vaccinator", "CONFIRMED              30",
        "'tot_dose_1':", "date,state_id,district_id,vaccine,dose,age_band,gender,doses", ",21,395,COVISHIELD,1,",
        '"surname":"Rao"', "%PDF-1.", "'code': 'XM9QW8'", "SMART Health Card valid: True", "EU DCC valid: True",
        "Tell it to Omkar Operator of CSC Andheri East", "Omkar Operator of CSC Andheri East booked appointment",
        '"errorCode":"ASSIST0001"', "'register': ",
        '"vial_id":"4121Z025#', '"vial":"4121Z025#', '"errorCode":"PLANNG0020"', '"vial_id":"4121Z031#1"',
        '"vial":"4121Z031#1"', '"used":1,"wasted":9', '"errorCode":"VACCIN0021"', "'wasted': 9",
        "area,from,to,vaccine,received,used,wasted,wastage_rate,on_hand", "district#395,",
        "(wrong dose details) is registered", '"status":"resolved"', "is resolved. The session register says so",
        "in.gov.teeka-VACER-", '"errorCode":"LOCKER0002"', "KYC-VS answer valid:", '"status":"answered"']


def walkthrough(title: str = "## Walkthrough") -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(title):readme.index("\n## ", readme.index(title) + 1)]
    return "\n".join(re.findall(r"```sh\n(.*?)```", section, flags=re.S))


def test_the_walkthrough_runs_as_written_twice_on_one_server(tmp_path_factory):
    from tests.e2e.conftest import local_server

    script = "set -e\n" + walkthrough()
    with local_server(tmp_path_factory.mktemp("readme") / "server.log") as (url, _):
        port = url.rsplit(":", 1)[1]
        for run in (1, 2):
            done = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=600,
                                  env={"PATH": "/usr/local/bin:/usr/bin:/bin", "PORT": port,
                                       "TMPDIR": str(tmp_path_factory.getbasetemp()),
                                       "HOME": str(tmp_path_factory.getbasetemp())})
            assert done.returncode == 0, f"run {run} stopped:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            missing = [text for text in SEEN if text not in done.stdout]
            assert not missing, f"run {run} did not show {missing}:\n{done.stdout[-3000:]}"
    assert not any((ROOT / name).exists() for name in ("slip.pdf", "certificate.pdf", "jwks.json"))


def test_another_countrys_walkthrough_runs_as_written_twice(tmp_path_factory):
    """The README's Uganda section, on `make run COUNTRY=ug`."""
    from tests.e2e.conftest import local_server

    script = "set -e\n" + walkthrough("## Another country")
    with local_server(tmp_path_factory.mktemp("readme-ug") / "server.log", TEEKA_COUNTRY="ug") as (url, _):
        for run in (1, 2):
            done = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300,
                                  env={"PATH": "/usr/local/bin:/usr/bin:/bin", "PORT": url.rsplit(":", 1)[1]})
            assert done.returncode == 0, f"run {run} stopped:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            for seen in ('"state_name":"Central"', '"district_id":102', "Mulago National Referral Hospital",
                         "National ID (NIN)", '"beneficiary_reference_id":"', '"errorCode":"BENREG0004"'):
                assert seen in done.stdout, f"run {run} did not show {seen}:\n{done.stdout[-3000:]}"
