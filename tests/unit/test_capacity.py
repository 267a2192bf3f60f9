"""The capacity model (local/capacity.py): DynamoDB's billing arithmetic, Little's law, SMS parts, the CDN,
the cost sums; the meter on real requests; and docs/capacity.md being exactly what the recorded inputs give."""
import json
import math

import pytest

from local import capacity
from local.capacity import (
    Load,
    Model,
    concurrency,
    counter_touch_units,
    lambda_seconds,
    origin_fetches_per_second,
    query_read_units,
    read_units,
    sms_parts,
    write_units,
)


def inputs() -> dict:
    assert capacity.INPUTS.exists(), f"{capacity.INPUTS} is missing: run `python -m local.capacity`"
    return json.loads(capacity.INPUTS.read_text())


def usage(**values) -> dict:
    """One measured request (or consumer record) as the inputs record it: nothing but what is given."""
    empty = {"label": "", "measured": 1, "cpu_ms": 0.0, "calls": {}, "read_units": {}, "write_units": {},
             "read_bytes": 0, "hot_read_units": {}, "hot_write_units": {}, "queued": {}, "streamed": {}, "sms": 0,
             "sms_parts": {}, "queued_sms_parts": {}, "kms_signs": 0, "s3_put_bytes": 0, "s3_get_bytes": 0,
             "log_bytes": 0, "response_bytes": 0, "response_gzip_bytes": 0}
    return {**empty, **values}


GROWN = {"country day": 5111, "country all": 4861, "state day": 6594, "state all": 6458, "district day": 3522,
         "district all": 3203, "slice day": 714, "slice all": 764}
# Fixed inputs: a dose that writes one stream record, its consumer queueing a certificate and an SMS, the
# certificate signed and announced by SMS, and the counters at ten doses a transaction.
FIXED = {
    "lambda_memory_mb": 1769, "districts": 10, "languages": ["en_US", "hi_IN"],
    "typical_district": {"centres": 1, "sessions": 1, "days": 7}, "reserved_concurrency": {},
    "kinds": {kind: usage() for kind in capacity.KIND_LABELS} | {
        "dose": usage(cpu_ms=10.0, calls={"dynamodb.TransactWriteItems": 1}, write_units={"doses": 2},
                      streamed={"doses": 1}, hot_write_units={"sessions [session]": 2}, response_gzip_bytes=500),
        "otp_generate": usage(sms=1, sms_parts={"en_US": 1, "hi_IN": 2}, calls={"sns.Publish": 1}),
    },
    "consumers": {
        "dose_recorded": usage(queued={"certificates": 1, "sms": 1}, queued_sms_parts={"en_US": 1, "hi_IN": 2}),
        "issue_certificates": usage(kms_signs=1, calls={"kms.Sign": 1, "s3.PutObject": 1}, queued={"sms": 1},
                                    queued_sms_parts={"en_US": 2, "hi_IN": 4}),
        "deliver_sms": usage(sms=1, sms_parts={"en_US": 1, "hi_IN": 2}, calls={"sns.Publish": 1}),
    },
    "counting": {"grown_item_bytes": GROWN, "sites_in_district": 300,
                 "national": usage(calls={"dynamodb.TransactWriteItems": 0.1}, write_units={"stats": 30}),
                 "district": usage()},
}


def test_reads_are_billed_per_4_kb_half_when_eventual_double_in_a_transaction():
    assert read_units(0) == 1  # an absent item still costs a read
    assert read_units(4096) == 1 and read_units(4097) == 2
    assert read_units(4096, "eventual") == 0.5 and read_units(9000, "eventual") == 1.5
    assert read_units(100, "transactional") == 2 and read_units(8193, "transactional") == 6


def test_a_query_sums_its_items_before_rounding_to_4_kb():
    assert query_read_units(10 * 400, consistent=True) == 1  # ten 400-byte items: one unit, not ten
    assert query_read_units(4097, consistent=True) == 2
    assert query_read_units(991_046, consistent=False) == math.ceil(991_046 / 4096) / 2
    assert query_read_units(0, consistent=False) == 0.5


def test_writes_are_billed_per_1_kb_double_in_a_transaction():
    assert write_units(1) == 1 and write_units(1024) == 1 and write_units(1025) == 2
    assert write_units(373, transactional=True) == 2 and write_units(5111, transactional=True) == 10


def test_concurrency_is_rate_times_duration():
    assert concurrency(400, 2.5) == 1000
    assert concurrency(0, 10) == 0


def test_a_lambdas_duration_stretches_cpu_to_its_vcpu_share_and_adds_each_calls_latency():
    latency = capacity.LATENCY_MS
    assert lambda_seconds(0.1, {}, 0, capacity.FULL_VCPU_MB) == pytest.approx(0.1)
    assert lambda_seconds(0.1, {}, 0, capacity.FULL_VCPU_MB // 2) == pytest.approx(0.2, rel=1e-3)
    seconds = lambda_seconds(0, {"dynamodb.GetItem": 2, "dynamodb.TransactWriteItems": 1, "sns.Publish": 1}, 1e6,
                             1024)
    expected = 2 * latency["dynamodb"] + latency["dynamodb_transaction"] + latency["sns"] + latency["dynamodb_per_mb"]
    assert seconds == pytest.approx(expected / 1000)


def test_sms_parts_follow_gsm_7_and_ucs_2():
    assert sms_parts("a" * 160) == 1 and sms_parts("a" * 161) == 2 and sms_parts("a" * 307) == 3
    assert sms_parts("€" * 80) == 1 and sms_parts("€" * 81) == 2  # extended characters count twice
    assert sms_parts("क" * 70) == 1 and sms_parts("क" * 71) == 2 and sms_parts("क" * 135) == 3


def test_origin_fetches_are_bounded_by_keys_caches_and_ttl():
    # A torrent: each key is fetched once per TTL per cache.
    assert origin_fetches_per_second(1e9, 100, 4, 60) == pytest.approx(100 * 4 / 60, rel=1e-3)
    # A trickle: nearly every read misses.
    assert origin_fetches_per_second(0.01, 100, 4, 60) == pytest.approx(0.01, rel=0.01)
    # Evenly spread is the worst case for a given rate: a skewed split of the same reads fetches less.
    even = origin_fetches_per_second(1000, 100, 1, 60)
    skewed = origin_fetches_per_second(900, 10, 1, 60) + origin_fetches_per_second(100, 90, 1, 60)
    assert skewed < even


def test_counters_touch_each_place_with_its_day_and_all_time_items():
    assert counter_touch_units(GROWN) == {"country": 20, "state": 28, "district": 8 + 8 + 2 + 2}


def test_the_hottest_place_of_a_counting_transaction():
    hot = Model(FIXED).counter_hot(FIXED["counting"]["national"])  # ten doses a transaction
    # The country is in every transaction, on one of its 8 shards (each its own partition key).
    assert capacity.counter_shards() == 8
    assert hot["stats [country]"] == pytest.approx(0.1 * 20 / 8)
    share = capacity.HOTTEST_SHARE["state"]
    assert hot["stats [state]"] == pytest.approx(0.1 * 28 * (1 - (1 - share) ** 10) / 8)


def test_costs_are_units_times_prices():
    model = Model(FIXED)
    load = Load(viewer_requests=10, viewer_bytes=2e9, edge_functions=4, api_requests=3, sqs_requests=5, sms=2,
                sms_parts=3, kms_signs=7, s3_puts=2, s3_gets=1, log_bytes=1e9)
    load.invocations["api_handler"] = 3
    load.lambda_seconds["api_handler"] = 2.0
    load.read_units["sessions"] = 8
    load.write_units["stats"] = 6
    price = {name: p.usd for name, p in capacity.PRICES.items()}
    costs = model.costs(load)
    gb = model.memory_mb / 1024
    assert costs["Lambda requests"] == pytest.approx(3 * price["lambda_request"])
    assert costs["Lambda duration"] == pytest.approx(2.0 * gb * price["lambda_gb_second"])
    assert costs["API Gateway (REST)"] == pytest.approx(3 * price["apigw_rest_request"])
    assert costs["DynamoDB reads"] == pytest.approx(8 * price["dynamodb_read_unit"])
    assert costs["DynamoDB writes"] == pytest.approx(6 * price["dynamodb_write_unit"])
    assert costs["SQS"] == pytest.approx(5 * price["sqs_request"])
    assert costs["SMS"] == pytest.approx(3 * price["sms_india"])  # billed by the part
    assert costs["KMS"] == pytest.approx(7 * price["kms_asymmetric_request"])
    assert costs["S3"] == pytest.approx(2 * price["s3_put"] + price["s3_get"])
    assert costs["CloudFront"] == pytest.approx(10 * price["cloudfront_https_request"] + 2 * price["cloudfront_gb_out"]
                                                + 4 * price["cloudfront_function"])
    assert costs["CloudWatch Logs"] == pytest.approx(price["logs_gb"])


def test_a_request_brings_what_it_causes():
    """A dose's load includes its stream's consumers, the certificate they queue and the SMS that follows,
    each SMS counted once (when queued, in its parts: English, or Hindi for HINDI_SHARE of accounts)."""
    model = Model(FIXED)
    dose = model.request("dose")
    assert dose.invocations["api_handler"] == 1 and dose.api_requests == 1 and dose.viewer_bytes == 500
    assert dose.invocations["dose_recorded"] == pytest.approx(1 / capacity.STREAM_BATCH)
    assert dose.invocations["count_doses"] == pytest.approx(1 / capacity.STREAM_BATCH)
    assert dose.invocations["issue_certificates"] == pytest.approx(1 / capacity.SQS_BATCH)
    assert dose.invocations["deliver_sms"] == pytest.approx(2 / capacity.SQS_BATCH)
    assert dose.kms_signs == 1 and dose.s3_puts == 1 and dose.sms == 2
    hindi = capacity.HINDI_SHARE
    assert dose.sms_parts == pytest.approx((1 - hindi) * 1 + hindi * 2 + (1 - hindi) * 2 + hindi * 4)
    assert dose.write_units == {"doses": 2, "stats": 30}
    assert dose.hot_write["sessions [session]"] == pytest.approx(2 * capacity.HOTTEST_SHARE["session"])
    assert dose.lambda_seconds["api_handler"] == pytest.approx(0.010 + capacity.LATENCY_MS["dynamodb_transaction"]
                                                               / 1000)  # 1,769 MB: a whole vCPU
    twice = Load()
    twice.add(dose, 2)
    assert twice.write_units["doses"] == 4 and twice.sms == 4
    otp = model.request("otp_generate")
    assert otp.sms == 1 and otp.sms_parts == pytest.approx(1 + hindi)


def test_concurrency_of_a_mix_is_the_sum_of_rate_times_duration():
    model = Model(FIXED)
    load = model.journey({"dose": 3})
    assert sum(load.lambda_seconds.values()) == pytest.approx(3 * sum(model.request("dose").lambda_seconds.values()))


def test_the_document_is_what_the_recorded_inputs_give():
    """docs/capacity.md is rendered from bench/results/capacity-inputs.json, nothing else: no clock, no
    measurement. `python -m local.capacity --render` renders it again."""
    recorded = inputs()
    assert set(recorded["kinds"]) == set(capacity.KIND_LABELS)
    assert {"deliver_sms", "issue_certificates", "dose_recorded", "count_doses"} <= set(recorded["consumers"])
    document = capacity.render(recorded)
    assert document == capacity.render(recorded)
    assert capacity.DOCUMENT.read_text() == document, "run `python -m local.capacity --render`"
    assert document.startswith("# Capacity and cost\n\nGenerated by `python -m local.capacity` on ")


def test_the_meter_counts_calls_units_index_writes_and_sms_of_real_requests(api):
    from tests.helpers import bearer, last_otp, person, post, sha256

    post(api, "/v2/auth/public/generateOTP", {"mobile": "9876543211"})  # a warm container: its secrets read
    meter = capacity.Meter()
    meter.install()
    try:
        with meter.measuring("otp_generate"):
            txn = post(api, "/v2/auth/public/generateOTP", {"mobile": "9876543210"}).json_body["txnId"]
        with meter.measuring("otp_confirm"):
            token = post(api, "/v2/auth/confirmOTP", {"otp": sha256(last_otp("9876543210")), "txnId": txn}
                         ).json_body["token"]
        with meter.measuring("register"):
            assert post(api, "/v2/registration/beneficiary/new", person(1), bearer(token)).status_code == 200
    finally:
        meter.uninstall()
    generate = meter.usage["otp_generate"].per_unit()
    assert generate["calls"] == {"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1, "sns.Publish": 1}
    assert generate["read_units"] == {"accounts": 0.5}  # an absent account, read eventually consistent
    assert generate["write_units"] == {"otp": 4, "rate-limits": 2}  # three small items, transactional
    assert generate["sms"] == 1 and generate["sms_parts"]["en_US"] == 1 and generate["cpu_ms"] > 0
    confirm = meter.usage["otp_confirm"].per_unit()
    assert confirm["calls"] == {"dynamodb.GetItem": 1, "dynamodb.UpdateItem": 3}
    register = meter.usage["register"].per_unit()
    assert register["calls"] == {"dynamodb.TransactWriteItems": 1}
    assert register["write_units"]["beneficiaries/by-mobile"] == 1  # the index write, not doubled
    assert register["hot_write_units"]["beneficiaries [person]"] == 2
