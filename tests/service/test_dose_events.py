"""The doses table's stream is the dose event: every dose and correction reaches its consumer once."""
from chalicelib.events import doses
from local import carrier as local_carrier
from local import dispatcher
from tests.api.test_vaccination_api import BASE, CITIZEN, FACILITY_ADMIN, VACCINATOR, dose, register, session_at
from tests.helpers import aadhaar, post


def test_a_dose_and_its_correction_each_text_the_citizen_once(api, seeded, as_):
    from app import app

    ref = register(api, as_(CITIZEN), 1)
    body = dose(ref, session_at(seeded), photo_id_type=1, id_last4=aadhaar(1)[-4:])
    assert post(api, f"{BASE}/doses", body, as_(VACCINATOR)).status_code == 201
    fix = {"beneficiary_reference_id": ref, "dose": 1, "batch": "4121Z026", "reason": "Batch mistyped"}
    assert post(api, f"{BASE}/doses/correction", fix, as_(FACILITY_ADMIN)).status_code == 201
    dispatcher.drain(app)
    dispatcher.drain(app)  # the stream's position is kept: nothing is delivered twice
    texts = [m["message"] for m in local_carrier.messages_for(CITIZEN)
             if "dose 1" in m["message"] and "certificate" not in m["message"]]
    assert len(texts) == 2
    assert "dose 1 of COVISHIELD was given" in texts[0] and "Seven Hills Hospital" in texts[0]
    assert "corrected: Batch mistyped" in texts[1]


def test_only_new_records_are_events(monkeypatch):
    seen = []
    monkeypatch.setattr(doses.dose_service, "on_dose_event", lambda image, profile: seen.append(image))
    monkeypatch.setattr(doses.certificates, "on_dose_event", seen.append)
    image = {"beneficiary_reference_id": {"S": "12345678901234"}, "kind": {"S": "dose"}}
    records = [{"eventID": str(n), "eventName": name, "eventSource": "aws:dynamodb",
                "dynamodb": {"SequenceNumber": str(n), "NewImage": image, "Keys": {}}}
               for n, name in enumerate(("INSERT", "MODIFY", "REMOVE"))]
    assert doses.handle({"Records": records}) == {"batchItemFailures": []}
    assert seen == [{"beneficiary_reference_id": "12345678901234", "kind": "dose"}] * 2  # the SMS, the certificate


def test_a_refused_transaction_emits_no_event_and_the_stream_keeps_flowing(api, seeded, as_):
    """DynamoDB writes nothing, and streams nothing, for a refused transaction; the embedded AWS must
    too, or the dispatcher texts the refused dose's citizen and then reads a dead stream."""
    from app import app

    first, refused_walk_in, later = "9876543210", "9876543212", "9876543211"
    session_id = session_at(seeded)
    ref = register(api, as_(first), 1)
    by_id = {"photo_id_type": 1, "id_last4": aadhaar(1)[-4:]}
    assert post(api, f"{BASE}/doses", dose(ref, session_id, **by_id), as_(VACCINATOR)).status_code == 201
    dispatcher.drain(app)
    # Refused transactions on the doses table: the same dose again, and a walk-in whose ID is taken.
    assert post(api, f"{BASE}/doses", dose(ref, session_id, **by_id), as_(VACCINATOR)).status_code == 409
    walk_in = {"mobile": refused_walk_in, "name": "Someone Else", "birth_year": "1990", "gender_id": 1,
               "photo_id_type": 1, "photo_id_number": aadhaar(1), "session_id": session_id,
               "vaccine": "COVISHIELD", "batch": "4121Z025", "dose": 1}
    assert post(api, f"{BASE}/walkin", walk_in, as_(VACCINATOR)).json_body["errorCode"] == "BENREG0002"
    other = register(api, as_(later), 2)
    assert post(api, f"{BASE}/doses", dose(other, session_id, photo_id_type=1, id_last4=aadhaar(2)[-4:]),
                as_(VACCINATOR)).status_code == 201
    dispatcher.drain(app)

    def given(mobile):
        return [m for m in local_carrier.messages_for(mobile) if "was given" in m["message"]]

    assert len(given(first)) == 1
    assert given(refused_walk_in) == []
    assert len(given(later)) == 1
