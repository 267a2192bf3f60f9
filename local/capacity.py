"""`python -m local.capacity`: the capacity and cost model, written to docs/capacity.md.

Two steps, kept apart so the document is a pure function of what was measured:

1. **measure** (2-3 minutes on 2 shared cores): every request kind of the mix, and the asynchronous work each
   one causes (stream consumers, queue workers), runs in-process on moto (`mock_aws`) through the real
   Chalice app (`chalice.test.Client`), as local/bench.py and the tests do. A meter wraps botocore's
   `_make_api_call` (every AWS call of the app, PynamoDB's included) and counts, per request: the
   DynamoDB operations and the read/write units DynamoDB would bill for them, computed from the items'
   real sizes as moto stores them (moto's own ConsumedCapacity is a constant 1.0 or 0.5, whatever the
   size); the global secondary index writes; the partition keys touched; the SQS messages, SNS SMS (and
   their parts), KMS signs, S3 objects; the stream records written; the log bytes; and the CPU time of
   this process, less the CPU spent inside moto (its request parsing, its "DynamoDB", its KMS) and in
   the meter itself. Written to bench/results/capacity-inputs.json.
2. **render** (instant, deterministic): the model (the mix, the dose day, the CDN, the prices below)
   applied to those inputs, written to docs/capacity.md. `--render` re-renders from the recorded JSON
   without measuring; tests/unit/test_capacity.py checks the document is exactly that.
"""
from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import math
import os
import platform
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
INPUTS = PROJECT_DIR / "bench" / "results" / "capacity-inputs.json"
DOCUMENT = PROJECT_DIR / "docs" / "capacity.md"

# -- prices ----------------------------------------------------------------------------------------
# Public on-demand prices for ap-south-1 (Mumbai), USD, as read on PRICES_READ_ON from stored copies of
# the sources named (this machine has no web access: nothing was read live). `confirmed` is False where
# the Mumbai figure itself could not be read: the document then says the price is an assumption.

PRICES_READ_ON = "2026-11-30"
PRICE_LIST_API = ("AWS Price List API, location \"Asia Pacific (Mumbai)\", as quoted with its usage types by a "
                  "public cost script that read it on 2026-09-17")


@dataclass(frozen=True)
class Price:
    usd: float  # per one `unit`
    unit: str
    source: str
    confirmed: bool
    note: str = ""


PRICES: dict[str, Price] = {
    "lambda_request": Price(0.20 / 1e6, "invocation", f"{PRICE_LIST_API}: AWSLambda APS3-Request", True),
    "lambda_gb_second": Price(
        0.0000166667, "GB-second (x86, first 6 billion GB-s a month)",
        "https://aws.amazon.com/lambda/pricing/ (its examples are US East; the Price List API gives Mumbai's "
        "Arm GB-second at the US figure, $0.0000133334)", False, "x86 in Mumbai assumed equal to US East"),
    "apigw_rest_request": Price(
        3.50 / 1e6, "REST API request (first 333 million a month)",
        "https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/"
        "cost-optimization.html (table 4)", False,
        "the US East tier; Mumbai not read. Beyond 333 M a month: $2.80, beyond 1 bn: $2.38 per million"),
    "dynamodb_write_unit": Price(0.71 / 1e6, "write request unit (on-demand)",
                                 f"{PRICE_LIST_API}: AmazonDynamoDB APS3-WriteRequestUnits", True,
                                 "after AWS halved on-demand throughput prices on 1 Nov 2024"),
    "dynamodb_read_unit": Price(0.1425 / 1e6, "read request unit (on-demand)",
                                f"{PRICE_LIST_API}: AmazonDynamoDB APS3-ReadRequestUnits", True,
                                "after the 1 Nov 2024 cut"),
    "sqs_request": Price(0.40 / 1e6, "standard-queue request (each 64 KB chunk)",
                         "https://aws.amazon.com/sqs/pricing/ (US East)", False, "Mumbai assumed equal to US East"),
    "sms_india": Price(
        0.0025, "SMS part to India, local route (DLT-registered sender ID)",
        "not read: AWS publishes it only on https://aws.amazon.com/end-user-messaging/pricing/, which could not be "
        "read here", False,
        "an assumption between a report that AWS's international route costs about 20x its local one "
        "(https://priyankt.com/posts/sending-sms-aws-sns, i.e. ~$0.0011) and the domestic rate Appwrite shows for "
        "+91 with its margin ($0.003, appwrite/website#3011, May 2026). Carrier fees, if any, are extra"),
    "sms_india_international": Price(
        0.02171, "SMS to India over international (ILDO) routes",
        "https://docs.aws.amazon.com/ja_jp/sns/latest/dg/channels-sms-senderid-india.html", True,
        "what every SMS costs until the DLT registration is done (docs/deploy.md, prerequisites)"),
    "kms_asymmetric_request": Price(
        0.15 / 1e4, "asymmetric KMS request (kms:Sign with ECC_NIST_P256)",
        "https://aws.amazon.com/kms/pricing/ as summarised by "
        "https://www.factualminds.com/blog/aws-kms-pricing-keys-requests-multi-region/ (June 2026: asymmetric "
        "requests at 5x the symmetric $0.03 per 10,000)", False,
        "another summary lists ECC requests at $0.03 per 10,000; the higher figure is used. Mumbai's symmetric "
        "price is $0.03 per 10,000 in the Price List API"),
    "cloudfront_https_request": Price(
        0.0120 / 1e4, "HTTPS request served to viewers in India", "https://aws.amazon.com/cloudfront/pricing/",
        False, "the India request price could not be read; this figure is assumed"),
    "cloudfront_gb_out": Price(0.109, "GB to viewers in India (first 10 TB a month; $0.085 for the next 40 TB)",
                               "https://aws.amazon.com/cloudfront/pricing/", True),
    "cloudfront_function": Price(0.10 / 1e6, "CloudFront Function invocation (the public reads' key normaliser)",
                                 "https://cur.vantage.sh/aws/amazoncloudfront/", True),
    "s3_put": Price(0.005 / 1000, "S3 PUT request", "https://aws.amazon.com/s3/pricing/ (US East)", False,
                    "Mumbai assumed equal"),
    "s3_get": Price(0.0004 / 1000, "S3 GET request", "https://aws.amazon.com/s3/pricing/ (US East)", False,
                    "Mumbai assumed equal"),
    "logs_gb": Price(0.67, "GB of CloudWatch Logs ingested", f"{PRICE_LIST_API}: AmazonCloudWatch "
                     "APS3-DataProcessing-Bytes", True),
}

# -- assumptions -----------------------------------------------------------------------------------
# Every number the model adds to what was measured. The document lists them all.

MIX_REQUESTS_PER_SECOND = 30_000  # CoWIN's peak API rate
# Shares of the 30,000 requests a second reaching CloudFront. Availability reads are calendarByDistrict of a
# district like the one measured (the heaviest public read per origin fetch; CoWIN's trackers polled it).
MIX: dict[str, float] = {
    "availability": 0.85,
    "otp_generate": 0.03,
    "otp_confirm": 0.025,
    "beneficiaries": 0.03,
    "register": 0.01,
    "book": 0.015,
    "cancel": 0.002,
    "door_check": 0.008,
    "dose": 0.008,
    "certificate": 0.022,
}
# The CDN (infra/cdn.py, infra/edge.py): availability answers are public for 60 s, keyed on the parameters the
# route reads, the language (normalised to the pack's) and the encoding CloudFront compressed them in.
CACHE_TTL_SECONDS = 60
DISTRICTS = 756  # India's pack (chalicelib/countries/in): read at measurement, recorded in the inputs
DATES_ASKED = 2  # clients ask for today and tomorrow (a calendar answers 7 days from the date asked)
ENCODINGS = 2  # gzip and Brotli variants are cached apart
# Independent caches a key is fetched into from the origin once per TTL: CloudFront's regional edge caches
# in front of Indian viewers, with a margin for edge locations missing together. Origin Shield makes it 1.
INDEPENDENT_CACHES = 4
# The dose day: 20 million doses, given over 8 working hours, the busiest hour 1.5 times that day's mean.
DOSES_PER_DAY = 20_000_000
VACCINATION_HOURS = 8
PEAK_HOUR_FACTOR = 1.5
# What a booking and a dose are made of (requests of the kinds measured, per booking or dose).
BOOKING_JOURNEY: dict[str, float] = {"otp_generate": 1, "otp_confirm": 1, "beneficiaries": 2, "register": 0.5,
                                     "book": 1}
DOSE_JOURNEY: dict[str, float] = {"door_check": 1, "dose": 1, "certificate": 1}
# Lambda: the API's memory comes from .chalice/config.json (recorded in the inputs); a function gets one full
# vCPU at 1,769 MB and a proportional share below it; a Lambda vCPU is taken as fast as this machine's core.
FULL_VCPU_MB = 1769
# Wall time each AWS call adds to a Lambda's duration (its CPU is in the measured time): DynamoDB's
# single-digit milliseconds, and typical figures for the others. Not measured here: moto answers in-process.
LATENCY_MS: dict[str, float] = {
    "dynamodb": 5, "dynamodb_transaction": 10, "dynamodb_batch": 8, "dynamodb_per_mb": 30,
    "sqs": 8, "sns": 30, "kms": 10, "s3_put": 25, "s3_get": 15, "other": 10,
}
# Lambda's batches at a steady load: SQS batches of 10, stream batches of 100 (app.py's batch sizes).
SQS_BATCH, STREAM_BATCH = 10, 100
# Lambda's SQS poller receives and deletes in batches: 2 more requests for every full batch of 10 messages.
SQS_REQUESTS_PER_MESSAGE = 1 + 2 / SQS_BATCH
# CloudWatch: what Lambda itself logs per invocation (START, END, REPORT lines), beside the app's own log.
PLATFORM_LOG_BYTES = 300
# SMS in Hindi are UCS-2 (70 characters a part); the share of accounts reading Hindi.
HINDI_SHARE = 0.3
# Where the hottest instance of each kind of partition key sits: its share of the national rate.
HOTTEST_SHARE: dict[str, float] = {
    "country": 1.0,  # the whole country (its counters: one partition key per shard, see counter_shards)
    "state": 0.17,  # Uttar Pradesh: about 17% of India's people
    "district": 0.03,  # a large urban district during a rush (its population is ~1%)
    "pincode": 0.03,
    "centre": 0.005,
    "session": 0.005,  # a popular session in a rush: 0.5% of the country's bookings on one session
    "due shard": 1 / 16,  # certificate slots due for issuance: a sparse index of 16 shards
    "person": 0.0,  # one person, one mobile: a few requests a minute at most (rate limits)
}
PARTITION_WRITE_LIMIT, PARTITION_READ_LIMIT = 1000, 3000
KMS_SIGN_QUOTA_PER_SECOND = 300  # ECC signing, per account and region (docs/deploy.md)
ACCOUNT_CONCURRENCY = 1000  # Lambda's default concurrent executions per account and region (docs/deploy.md)
# An on-demand table's (and, taken here, each index's) default ceiling: read and write request units a second
# (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode-max-throughput.html).
TABLE_QUOTA = 40_000
MOTO_EXCLUDED = ("moto's CPU is subtracted: the meter times moto's in-process stub (the `before-send` handler that "
                 "answers each AWS call: its request parsing, its DynamoDB, KMS, S3, SQS and SNS) around every call, "
                 "and its own bookkeeping, and takes both off the request's CPU")


# -- units: DynamoDB's billing arithmetic ----------------------------------------------------------

def read_units(size_bytes: int, mode: str = "strong") -> float:
    """Read units of one item read: 4 KB steps (an absent item still costs the first), half for an
    eventually consistent read, double for a transactional one."""
    steps = max(1, math.ceil(size_bytes / 4096))
    return steps * {"strong": 1.0, "eventual": 0.5, "transactional": 2.0}[mode]


def query_read_units(total_bytes: int, consistent: bool) -> float:
    """A Query or Scan page: the sizes of the items it read summed, then rounded up to 4 KB."""
    return max(1, math.ceil(total_bytes / 4096)) * (1.0 if consistent else 0.5)


def write_units(size_bytes: int, transactional: bool = False) -> int:
    """Write units of one item written (the larger of before and after): 1 KB steps, doubled in a transaction."""
    return max(1, math.ceil(size_bytes / 1024)) * (2 if transactional else 1)


def lambda_seconds(cpu_seconds: float, calls: Mapping[str, float], read_bytes: float, memory_mb: int) -> float:
    """A Lambda's duration: its CPU stretched to the vCPU share of its memory, plus each AWS call's latency."""
    share = min(1.0, memory_mb / FULL_VCPU_MB)
    return cpu_seconds / share + call_latency_seconds(calls, read_bytes)


def call_latency_seconds(calls: Mapping[str, float], read_bytes: float = 0.0) -> float:
    total = 0.0
    for call, n in calls.items():
        service, operation = call.split(".", 1)
        if service == "dynamodb":
            kind = ("dynamodb_transaction" if operation.startswith("Transact") else
                    "dynamodb_batch" if operation.startswith("Batch") else "dynamodb")
        elif service == "s3":
            kind = "s3_put" if operation.startswith("Put") else "s3_get"
        else:
            kind = service if service in LATENCY_MS else "other"
        total += n * LATENCY_MS[kind]
    return (total + read_bytes / 1e6 * LATENCY_MS["dynamodb_per_mb"]) / 1000


def concurrency(rate_per_second: float, seconds: float) -> float:
    """Little's law: requests in flight = arrival rate x time each one takes."""
    return rate_per_second * seconds


GSM_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENDED = set("^{}\\[~]|€\f")


def sms_parts(text: str) -> int:
    """Message parts the carrier bills: GSM-7 (160 characters, 153 a part when split; the extended ones
    count twice) or else UCS-2 (70 UTF-16 units, 67 a part)."""
    if all(c in GSM_BASIC or c in GSM_EXTENDED for c in text):
        length = sum(2 if c in GSM_EXTENDED else 1 for c in text)
        return 1 if length <= 160 else math.ceil(length / 153)
    length = len(text.encode("utf-16-le")) // 2
    return 1 if length <= 70 else math.ceil(length / 67)


def origin_fetches_per_second(requests_per_second: float, keys: int, caches: int, ttl_seconds: float) -> float:
    """Fetches reaching the origin when `requests_per_second` spread evenly over `keys` cache keys, each held
    `ttl_seconds` in `caches` independent caches: per key and cache, a fetch, then hits until it expires
    (a renewal process: λ / (1 + λT) fetches a second). Even spread is the worst case: by concavity, any
    skew toward popular keys fetches less."""
    pairs = keys * caches
    rate = requests_per_second / pairs
    return pairs * rate / (1 + rate * ttl_seconds)


# -- measurement -----------------------------------------------------------------------------------

def _tally() -> dict[str, float]:
    return defaultdict(float)


def accumulate(into: dict[str, float], source: Mapping[str, float], times: float = 1.0) -> None:
    for key, value in source.items():
        into[key] += value * times


@dataclass
class Usage:
    """What one kind of request (or one consumer's record) did, summed over the times it ran."""

    count: int = 0
    cpu_samples: list[float] = field(default_factory=list)  # per request (or per batch, for consumers)
    calls: dict[str, float] = field(default_factory=_tally)  # "dynamodb.GetItem" -> n
    read_units: dict[str, float] = field(default_factory=_tally)  # table or table/index -> units
    write_units: dict[str, float] = field(default_factory=_tally)
    read_bytes: float = 0.0  # bytes DynamoDB read (a query's pages take longer than a get)
    # key label ("table/index [what its value stands for]") -> units a request spends on the one instance of
    # that key it touches most
    hot_read: dict[str, float] = field(default_factory=_tally)
    hot_write: dict[str, float] = field(default_factory=_tally)
    queued: dict[str, float] = field(default_factory=_tally)  # queue -> messages sent
    streamed: dict[str, float] = field(default_factory=_tally)  # table -> stream records written
    sms: float = 0.0
    sms_parts: dict[str, float] = field(default_factory=_tally)  # language -> parts, for every SMS sent
    queued_sms_parts: dict[str, float] = field(default_factory=_tally)  # language -> parts of the SMS queued
    kms_signs: float = 0.0
    s3_put_bytes: float = 0.0
    s3_get_bytes: float = 0.0
    log_bytes: float = 0.0
    response_bytes: float = 0.0
    response_gzip_bytes: float = 0.0
    records: int = 0  # consumers: records (or messages) handled
    label: str = ""

    def per_unit(self) -> dict[str, Any]:
        """Per request (per record, for a consumer): means, and the median CPU."""
        n = max(self.records or self.count, 1)

        def each(counter: Mapping[str, float]) -> dict[str, float]:
            return {key: round(value / n, 4) for key, value in sorted(counter.items()) if value}

        cpu = statistics.median(self.cpu_samples) if self.cpu_samples else 0.0
        if self.records:  # a consumer's samples are batches: CPU per record over all of them
            cpu = sum(self.cpu_samples) / self.records
        return {
            "label": self.label, "measured": self.records or self.count, "cpu_ms": round(cpu * 1000, 3),
            "calls": each(self.calls), "read_units": each(self.read_units), "write_units": each(self.write_units),
            "read_bytes": round(self.read_bytes / n), "hot_read_units": each(self.hot_read),
            "hot_write_units": each(self.hot_write),
            "queued": each(self.queued), "streamed": each(self.streamed),
            "sms": round(self.sms / n, 4), "sms_parts": each(self.sms_parts),
            "queued_sms_parts": each(self.queued_sms_parts),
            "kms_signs": round(self.kms_signs / n, 4), "s3_put_bytes": round(self.s3_put_bytes / n),
            "s3_get_bytes": round(self.s3_get_bytes / n), "log_bytes": round(self.log_bytes / n),
            "response_bytes": round(self.response_bytes / n),
            "response_gzip_bytes": round(self.response_gzip_bytes / n),
        }


def _as_stored(table: str, key: dict) -> int | None:
    """No size override: items are sized as moto stores them."""
    return None


class _CountingStream(io.TextIOBase):
    """Where the app's logs and metrics go while measured: only their size is kept."""

    def __init__(self, meter: Meter):
        self.meter = meter

    def write(self, text: str) -> int:
        if self.meter.scope is not None:
            self.meter.scope.log_bytes += len(text.encode())
        return len(text)


def key_scope(table: str, index: str | None, value: str) -> str:
    """What one value of a partition key stands for, and so how busy its busiest instance can get."""
    if table == "stats":
        for prefix, scope in (("country", "country"), ("state#", "state"), ("district#", "district"),
                              ("center#", "centre")):
            if value.startswith(prefix):
                return scope
        return "person"  # markers: one per counted event
    if table == "certificates" and value.startswith("revocations#"):
        return "country"
    scopes = {("sessions", None): "session", ("sessions", "by-district-date"): "district",
              ("sessions", "by-pincode-date"): "pincode", ("sessions", "by-center-date"): "centre",
              ("centers", None): "centre", ("centers", "by-district"): "district", ("centers", "by-cell"): "district",
              ("allocations", None): "session", ("appointments", "by-session"): "session",
              ("allowances", None): "centre", ("allowances", "by-district-day"): "district",
              ("certificate-slots", "due"): "due shard", ("switches", None): "country",
              ("counters", None): "country", ("reminders", None): "due shard"}
    return scopes.get((table, index), "person")


class Meter:
    """Counts what the app asks of AWS, and what it costs, per scope (a request, a consumer's batch)."""

    def __init__(self) -> None:
        from chalicelib.adapters import queues
        from chalicelib.store import tables

        self.item_bytes = _item_bytes()
        self.queues = {queues.queue_name(name): name for name in queues.QUEUES}
        self.logical = {model.Meta.table_name: model.Meta.logical_name for model in tables.TABLE_MODELS}
        self.usage: dict[str, Usage] = defaultdict(Usage)
        self.scope: Usage | None = None
        self.moto_cpu = 0.0  # CPU inside moto's stubber and the meter's own work, within the current scope
        self.size_override: Callable[[str, dict], int | None] = _as_stored
        self.consumers_on = False  # consumers are measured once the warm-up is over
        self._restore: list[Callable[[], None]] = []
        self._hot: dict[tuple[str, str], list[float]] = {}  # (label, instance) -> [read, write], this request
        self.sms_texts: list[tuple[str, dict]] = []  # (template, values) rendered, for the SMS parts
        self.original_render: Callable[..., str] | None = None

    # the moto backend, for the items as stored (sizes, old and new images)
    @staticmethod
    def backend() -> Any:
        from moto.backends import get_backend
        from moto.core import DEFAULT_ACCOUNT_ID

        return get_backend("dynamodb")[DEFAULT_ACCOUNT_ID][os.environ["AWS_REGION"]]

    def install(self) -> None:
        import botocore.client
        from moto.core.botocore_stubber import BotocoreStubber

        from chalicelib.domain import messages

        meter = self
        original_call = botocore.client.BaseClient._make_api_call
        original_stub = BotocoreStubber.__call__
        original_render = self.original_render = messages.render

        def call(client: Any, operation: str, params: dict) -> Any:
            if meter.scope is None:
                return original_call(client, operation, params)
            started = time.process_time()
            service = client.meta.service_model.service_name
            before = meter._before(service, operation, params)
            body = params.get("Body", b"") if service == "s3" else b""
            sent = len(body) if isinstance(body, bytes | str) else 0  # botocore wraps it in a stream on its way
            meter.moto_cpu += time.process_time() - started
            try:
                response = original_call(client, operation, params)
            except Exception:
                started = time.process_time()
                meter._record(service, operation, params, {}, before, failed=True)
                meter.moto_cpu += time.process_time() - started
                raise
            started = time.process_time()
            meter._record(service, operation, params, response, before, sent=sent)
            meter.moto_cpu += time.process_time() - started
            return response

        def stub(stubber: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return original_stub(stubber, event_name, request, **kwargs)
            finally:
                meter.moto_cpu += time.process_time() - started

        def render(sms: Any, words: Any) -> str:
            meter.sms_texts.append((sms.template, dict(sms.values)))
            return original_render(sms, words)

        # Deliberate patches, undone by `uninstall`: botocore's one call path, moto's stub, the SMS texts.
        setattr(botocore.client.BaseClient, "_make_api_call", call)  # noqa: B010
        setattr(BotocoreStubber, "__call__", stub)  # noqa: B010
        setattr(messages, "render", render)  # noqa: B010
        self._restore += [lambda: setattr(botocore.client.BaseClient, "_make_api_call", original_call),
                          lambda: setattr(BotocoreStubber, "__call__", original_stub),
                          lambda: setattr(messages, "render", original_render)]

    def uninstall(self) -> None:
        for restore in reversed(self._restore):
            restore()
        self._restore.clear()

    @contextlib.contextmanager
    def measuring(self, name: str, label: str = "", records: int = 0) -> Iterator[Usage]:
        """Measure the block as one request of `name` (or one consumer batch of `records`)."""
        usage = self.usage[name]
        usage.label = label or usage.label
        streams = self._stream_lengths()
        self.scope, self.moto_cpu, self._hot = usage, 0.0, {}
        started = time.process_time()
        try:
            yield usage
        finally:
            cpu = time.process_time() - started - self.moto_cpu
            self.scope = None
            usage.count += 1
            usage.records += records
            usage.cpu_samples.append(cpu)
            for table, length in self._stream_lengths().items():
                usage.streamed[table] += length - streams.get(table, 0)
            busiest: dict[str, list[float]] = {}
            for (label_, _), (read, write) in self._hot.items():
                top = busiest.setdefault(label_, [0.0, 0.0])
                top[0], top[1] = max(top[0], read), max(top[1], write)
            for label_, (read, write) in busiest.items():
                usage.hot_read[label_] += read
                usage.hot_write[label_] += write

    def _stream_lengths(self) -> dict[str, int]:
        lengths = {}
        for name, table in self.backend().tables.items():
            if table.stream_shard is not None and name in self.logical:
                lengths[self.logical[name]] = len(table.stream_shard.items)
        return lengths

    # -- DynamoDB items as stored --

    def _table(self, name: str) -> Any:
        return self.backend().get_table(name)

    def _key_of(self, table: Any, item: dict) -> dict:
        key = {table.hash_key_attr: item[table.hash_key_attr]}
        if table.range_key_attr is not None:
            key[table.range_key_attr] = item[table.range_key_attr]
        return key

    def _stored(self, table_name: str, key: dict) -> Any:
        table = self._table(table_name)
        hash_value, range_value = self.backend().get_keys_value(table, key)
        return table.get_item(hash_value, range_value)

    def _size(self, table_name: str, key: dict, item: Any) -> int:
        override = self.size_override(self.logical.get(table_name, table_name), key)
        if override is not None:
            return override
        return self.item_bytes(item.to_json()["Attributes"]) if item is not None else 0

    def _writes_of(self, operation: str, params: dict) -> list[tuple[str, dict, bool]]:
        """(table, key, transactional) of every item a write operation writes or checks."""
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            table = params["TableName"]
            key = params.get("Key") or self._key_of(self._table(table), params["Item"])
            return [(table, key, False)]
        if operation == "BatchWriteItem":
            found = []
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    if "PutRequest" in request:
                        found.append((table, self._key_of(self._table(table), request["PutRequest"]["Item"]), False))
                    else:
                        found.append((table, request["DeleteRequest"]["Key"], False))
            return found
        if operation == "TransactWriteItems":
            found = []
            for entry in params["TransactItems"]:
                (kind, op), = entry.items()
                table = op["TableName"]
                found.append((table, op.get("Key") or self._key_of(self._table(table), op["Item"]), True))
            return found
        return []

    def _before(self, service: str, operation: str, params: dict) -> list[Any]:
        if service != "dynamodb":
            return []
        import copy

        return [copy.deepcopy(self._stored(table, key)) for table, key, _ in self._writes_of(operation, params)]

    def _hot_add(self, table_name: str, index: str | None, value: Any, read: float = 0.0, write: float = 0.0) -> None:
        logical = self.logical.get(table_name, table_name)
        text = str(next(iter(value.values()))) if isinstance(value, dict) else str(value)
        label = f"{logical}/{index}" if index else logical
        label = f"{label} [{key_scope(logical, index, text)}]"
        slot = self._hot.setdefault((label, text), [0.0, 0.0])
        slot[0] += read
        slot[1] += write

    def _record(self, service: str, operation: str, params: dict, response: dict, before: list[Any],
                failed: bool = False, sent: int = 0) -> None:
        usage = self.scope
        assert usage is not None
        usage.calls[f"{service}.{operation}"] += 1
        if service == "dynamodb":
            self._dynamodb(operation, params, response, before, failed)
        elif service == "sqs" and operation in ("SendMessage", "SendMessageBatch"):
            name = params["QueueUrl"].rsplit("/", 1)[-1]
            queue = self.queues.get(name, name)
            bodies = [entry["MessageBody"] for entry in params["Entries"]] if operation == "SendMessageBatch" \
                else [params["MessageBody"]]
            usage.queued[queue] += len(bodies)
            if queue == "sms":  # what the SMS worker will send, in each language
                for body in map(json.loads, bodies):
                    for language, parts in self._parts(body["template"], body["values"], "").items():
                        usage.queued_sms_parts[language] += parts
        elif service == "sns" and operation == "Publish" and "PhoneNumber" in params:
            usage.sms += 1
            template, values = self.sms_texts[-1] if self.sms_texts else ("", {})
            for language, parts in self._parts(template, values, params["Message"]).items():
                usage.sms_parts[language] += parts
        elif service == "kms" and operation == "Sign":
            usage.kms_signs += 1
        elif service == "s3" and operation == "PutObject":
            usage.s3_put_bytes += sent
        elif service == "s3" and operation == "GetObject":
            usage.s3_get_bytes += int(response.get("ContentLength", 0))

    def _parts(self, template: str, values: dict, sent: str) -> dict[str, int]:
        """Parts of the SMS in each of the pack's languages (the one sent is English, the accounts' default)."""
        from chalicelib.config import get_settings
        from chalicelib.domain import messages

        profile = get_settings().country
        parts = {}
        for language in profile.languages:
            text = sent
            if template in messages.TEMPLATES and self.original_render is not None:
                text = self.original_render(messages.Sms(template, values), profile.words(language))
            parts[language] = sms_parts(text)
        return parts

    def _dynamodb(self, operation: str, params: dict, response: dict, before: list[Any], failed: bool) -> None:
        usage = self.scope
        assert usage is not None
        if operation in ("GetItem", "BatchGetItem", "TransactGetItems"):
            reads: list[tuple[str, dict, str]] = []
            if operation == "GetItem":
                reads.append((params["TableName"], params["Key"],
                              "strong" if params.get("ConsistentRead") else "eventual"))
            elif operation == "BatchGetItem":
                for table, request in params["RequestItems"].items():
                    mode = "strong" if request.get("ConsistentRead") else "eventual"
                    unprocessed = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
                    reads += [(table, key, mode) for key in request["Keys"] if key not in unprocessed]
            else:
                reads += [(entry["Get"]["TableName"], entry["Get"]["Key"], "transactional")
                          for entry in params["TransactItems"]]
            for table, key, mode in reads:
                size = self._size(table, key, self._stored(table, key))
                units = read_units(size, mode)
                usage.read_units[self.logical.get(table, table)] += units
                usage.read_bytes += size
                self._hot_add(table, None, key[self._table(table).hash_key_attr], read=units)
        elif operation in ("Query", "Scan"):
            table_name, index = params["TableName"], params.get("IndexName")
            items = response.get("Items", [])
            size = sum(self.item_bytes(item) for item in items)
            if response.get("Count") and response.get("ScannedCount", 0) > response["Count"]:
                size = size * response["ScannedCount"] // response["Count"]  # a filter reads what it drops
            units = query_read_units(size, bool(params.get("ConsistentRead")) and index is None)
            logical = self.logical.get(table_name, table_name)
            usage.read_units[f"{logical}/{index}" if index else logical] += units
            usage.read_bytes += size
            values = params.get("ExpressionAttributeValues", {})
            first = next(iter(values.values()), {"S": "?"})
            self._hot_add(table_name, index, first, read=units)
        else:
            writes = self._writes_of(operation, params)
            for (table_name, key, transactional), old in zip(writes, before):
                new = self._stored(table_name, key)
                table = self._table(table_name)
                size = max(self._size(table_name, key, old), self._size(table_name, key, new))
                units = write_units(size, transactional)
                logical = self.logical.get(table_name, table_name)
                usage.write_units[logical] += units
                self._hot_add(table_name, None, key[table.hash_key_attr], write=units)
                if failed:
                    continue
                for index in table.global_indexes:
                    self._index_write(table_name, logical, index, old, new)

    def _index_write(self, table_name: str, logical: str, index: Any, old: Any, new: Any) -> None:
        """A global secondary index's writes for one item changed from `old` to `new` (None: absent):
        put, delete, both when its key changed, none when nothing it projects changed. Not doubled by a
        transaction (DynamoDB propagates index writes after the table's)."""
        usage = self.scope
        assert usage is not None
        keys = [key["AttributeName"] for key in index.schema]

        def entry(item: Any) -> dict | None:
            if item is None or any(name not in item.attrs for name in keys):
                return None
            return index.project(item).to_json()["Attributes"]

        was, now = entry(old), entry(new)
        if was == now:
            return
        changes: list[tuple[dict, int]] = []
        if was is not None and (now is None or any(was[k] != now[k] for k in keys)):
            changes.append((was, write_units(self.item_bytes(was))))
        if now is not None:
            changes.append((now, write_units(self.item_bytes(now))))
        for projected, units in changes:
            usage.write_units[f"{logical}/{index.name}"] += units
            self._hot_add(table_name, index.name, projected[keys[0]], write=units)


def _item_bytes() -> Callable[[dict], int]:
    """local/bench.py's `item_bytes` (DynamoDB's size of an item), imported without the environment that
    module sets for itself on import."""
    saved = dict(os.environ)
    try:
        from local.bench import item_bytes
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return item_bytes


TYPICAL_DISTRICT, TYPICAL_STATE = 363, 21  # the district filled with a typical district's centres
TYPICAL_CENTRES = 130  # ~100,000 active vaccination sites at CoWIN's 2021 peak over India's 756 districts
CALENDAR_DAYS = 7


def _typical_district(start: date) -> int:
    """TYPICAL_CENTRES centres (names in English and Hindi, as a pack with two languages keeps them), each
    with a COVISHIELD session every day and every other one a COVAXIN session too: 1.5 sessions a centre
    a day, CALENDAR_DAYS days. Returns how many sessions."""
    from chalicelib.domain.planning import Centre, SessionPlan, Slot
    from chalicelib.services.planning import session_id_for
    from chalicelib.store import planning as store

    sessions = []
    for n in range(TYPICAL_CENTRES):
        centre_id = 600001 + n
        centre = store.new_centre(centre_id, Centre(
            name=f"Urban PHC Ward {n + 1}", address=f"Near Municipal School {n % 40 + 1}, Ward {n % 40 + 1}",
            block_name=f"Ward {n % 40 + 1}", district_id=TYPICAL_DISTRICT, state_id=TYPICAL_STATE,
            pincode=411001 + n % 60, lat=18.45 + n % 25 * 0.01, long=73.75 + n // 25 * 0.01, opens="09:00:00",
            closes="17:00:00", fee_type="Paid" if n % 5 == 4 else "Free",
            vaccine_fees={"COVISHIELD": "780", "COVAXIN": "1410"} if n % 5 == 4 else {},
            local_names={"hi_IN": {"name": f"शहरी प्राथमिक स्वास्थ्य केंद्र वार्ड {n + 1}",
                                   "address": f"नगरपालिका स्कूल {n % 40 + 1} के पास, वार्ड {n % 40 + 1}",
                                   "block_name": f"वार्ड {n % 40 + 1}"}}))
        for day in range(CALENDAR_DAYS):
            for vaccine, min_age, max_age in (("COVISHIELD", 18, None), ("COVAXIN", 45, None))[:1 + n % 2]:
                plan = SessionPlan(center_id=centre_id, date=start + timedelta(days=day), vaccine=vaccine,
                                   min_age_limit=min_age, max_age_limit=max_age, allow_all_age=False,
                                   capacity_dose1=100, capacity_dose2=50,
                                   slots=(Slot("09:00AM-01:00PM", 75), Slot("01:00PM-05:00PM", 75)),
                                   fee={"COVISHIELD": "780", "COVAXIN": "1410"}[vaccine] if n % 5 == 4 else "0")
                sessions.append(store.new_session(session_id_for(centre_id, plan.date, vaccine), centre, plan))
    store.load([], sessions)
    return len(sessions)


BOOKING_CENTRE, SLOT = 100001, "09:00AM-05:00PM"  # the demo vaccinator's and verifier's centre (local/seed.py)
CITIZEN_PREFIX, VACCINATOR, VERIFIER = "96", "9000000006", "9000000007"


def _bookable_session(today: date) -> str:
    """Today's COVISHIELD session at the demo staff's centre, planned again with room for every booking
    measured (same id: the staff's allocations still name it)."""
    from chalicelib.domain.planning import SessionPlan, Slot
    from chalicelib.services.planning import session_id_for
    from chalicelib.store import planning as store

    session_id = session_id_for(BOOKING_CENTRE, today, "COVISHIELD")
    centre = store.get_centre(BOOKING_CENTRE)
    assert centre is not None, "local/seed.py makes the demo centres"
    store.load([], [store.new_session(session_id, centre, SessionPlan(
        center_id=BOOKING_CENTRE, date=today, vaccine="COVISHIELD", min_age_limit=18, max_age_limit=None,
        allow_all_age=False, capacity_dose1=5000, capacity_dose2=0, slots=(Slot(SLOT, 5000),), fee="0"))])
    return session_id


def _json_post(client: Any, path: str, body: dict, headers: dict | None = None) -> Any:
    return client.http.post(path, headers={"Content-Type": "application/json", **(headers or {})},
                            body=json.dumps(body))


def _token(client: Any, mobile: str) -> str:
    from chalicelib.domain.otp import sha256_hex
    from local import carrier

    txn = _json_post(client, "/v2/auth/public/generateOTP", {"mobile": mobile}).json_body["txnId"]
    code = carrier.messages_for(mobile)[-1]["message"].split(" is ")[1][:6]
    return _json_post(client, "/v2/auth/confirmOTP", {"otp": sha256_hex(code), "txnId": txn}).json_body["token"]


KIND_LABELS = {
    "availability": "GET calendarByDistrict (public, at the origin)",
    "otp_generate": "POST generateOTP",
    "otp_confirm": "POST confirmOTP",
    "beneficiaries": "GET appointment/beneficiaries (2 people)",
    "register": "POST beneficiary/new",
    "book": "POST appointment/schedule (1 person)",
    "cancel": "POST appointment/cancel",
    "door_check": "POST vaccination/verify (door check)",
    "dose": "POST vaccination/doses (after the door check)",
    "certificate": "GET certificate/public/download (PDF)",
}
CONSUMERS = {  # what feeds each consumer, for the model's chains
    "deliver_sms": ("queue", "sms"), "issue_certificates": ("queue", "certificates"),
    "book_queued": ("queue", "bookings"), "tell_subscribers": ("queue", "alerts"),
    "send_reminder_shard": ("queue", "reminders"),
    "dose_recorded": ("stream", "doses"), "count_doses": ("stream", "doses"),
    "session_changed": ("stream", "sessions"), "count_sessions": ("stream", "sessions"),
}


def measure(runs: int = 20, availability_runs: int = 5, progress: Callable[[str], None] = print) -> dict:
    """Run every request kind `runs` times (the availability read `availability_runs` times) through the
    app on a fresh moto, then the consumers on what they caused; returns the inputs of the model."""
    from chalice.test import Client
    from moto import mock_aws

    from chalicelib.config import get_settings, read_locations
    from chalicelib.domain.calendar import local_date
    from chalicelib.domain.otp import sha256_hex
    from chalicelib.observability import logger
    from chalicelib.services.booking import security_code_of
    from local import carrier, dispatcher, embedded_aws, seed
    from local.demo_ids import aadhaar, person

    profile = get_settings().country
    meter = Meter()
    sink = _CountingStream(meter)
    handlers = logger.handlers
    streams = [handler.setStream(sink) for handler in handlers if hasattr(handler, "setStream")]
    started = time.perf_counter()
    try:
        with mock_aws(), contextlib.redirect_stdout(sink):  # Powertools writes metrics (EMF) to stdout
            embedded_aws.provision()
            now = int(time.time())
            seed.seed(now=now)
            today = local_date(profile, now)
            district_sessions = _typical_district(today)
            session_id = _bookable_session(today)
            progress(f"capacity: moto provisioned, {district_sessions} sessions in the typical district "
                     f"({time.perf_counter() - started:.0f} s)")
            from app import app

            # Stream consumers start from now, as new event source mappings on LATEST would: the demo's and
            # the typical district's sessions are not what is measured.
            dispatcher.forget(from_now=tuple(name for name, (kind, _) in CONSUMERS.items() if kind == "stream"))
            dispatcher.begin_streams(app)
            for name in list(app.handler_map):
                if name in CONSUMERS:
                    app.handler_map[name] = _metered_consumer(meter, name, app.handler_map[name])
            meter.install()
            with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
                staff = {mobile: {"Authorization": f"Bearer {_token(client, mobile)}"}
                         for mobile in (VACCINATOR, VERIFIER)}
                day = today.strftime("%d-%m-%Y")
                calendar = (f"/v2/appointment/sessions/public/calendarByDistrict?district_id={TYPICAL_DISTRICT}"
                            f"&date={day}")

                def journey(n: int, measured: bool) -> str:
                    """One citizen: logs in, registers two people, lists them, books both, cancels one; the
                    verifier checks the other at the door and the vaccinator records the dose."""
                    mobile = f"{CITIZEN_PREFIX}{n + 1:08d}"

                    def step(kind: str, call: Callable[[], Any]) -> Any:
                        if not measured:
                            return call()
                        with meter.measuring(kind, KIND_LABELS[kind]) as usage:
                            response = call()
                        _responded(usage, response)
                        return response

                    txn = step("otp_generate", lambda: _json_post(client, "/v2/auth/public/generateOTP",
                                                                  {"mobile": mobile})).json_body["txnId"]
                    code = carrier.messages_for(mobile)[-1]["message"].split(" is ")[1][:6]
                    token = step("otp_confirm", lambda: _json_post(client, "/v2/auth/confirmOTP", {
                        "otp": sha256_hex(code), "txnId": txn})).json_body["token"]
                    citizen = {"Authorization": f"Bearer {token}"}
                    refs = []
                    for seed_ in (20_000 + 2 * n, 20_001 + 2 * n):
                        refs.append(step("register", partial(_json_post, client, "/v2/registration/beneficiary/new",
                                                             person(seed_), citizen)
                                         ).json_body["beneficiary_reference_id"])
                    step("beneficiaries", lambda: client.http.get("/v2/appointment/beneficiaries", headers=citizen))
                    booked = []
                    for ref in refs:
                        booked.append(step("book", partial(_json_post, client, "/v2/appointment/schedule", {
                            "dose": 1, "session_id": session_id, "slot": SLOT, "beneficiaries": [ref]}, citizen)
                                           ).json_body["appointment_id"])
                    cancelled = step("cancel", lambda: _json_post(client, "/v2/appointment/cancel", {
                        "appointment_id": booked[1], "beneficiariesToCancel": [refs[1]]}, citizen))
                    assert cancelled.status_code == 204, cancelled.body
                    checked = step("door_check", lambda: _json_post(client, "/v2/vaccination/verify", {
                        "appointment_id": booked[0], "beneficiary_reference_id": refs[0], "session_id": session_id,
                        "photo_id_type": 1, "id_last4": aadhaar(20_000 + 2 * n)[-4:],
                        "security_code": security_code_of(booked[0])}, staff[VERIFIER]))
                    assert checked.status_code == 200, checked.body
                    given = step("dose", lambda: _json_post(client, "/v2/vaccination/doses", {
                        "beneficiary_reference_id": refs[0], "session_id": session_id, "vaccine": "COVISHIELD",
                        "batch": "4121Z025", "dose": 1}, staff[VACCINATOR]))
                    assert given.status_code == 201, given.body
                    return refs[0] + " " + token

                # A warm container first: one whole journey, its consumers and a certificate, unmeasured.
                warm = journey(runs, measured=False)
                dispatcher.drain(app)
                ref, token = warm.split()
                client.http.get(f"/v2/registration/certificate/public/download?beneficiary_reference_id={ref}",
                                headers={"Authorization": f"Bearer {token}", "Accept": "application/pdf"})
                client.http.get(calendar)
                meter.usage.clear()
                meter.consumers_on = True
                people = [journey(n, measured=True) for n in range(runs)]
                progress(f"capacity: {runs} journeys measured ({time.perf_counter() - started:.0f} s)")
                dispatcher.drain(app, rounds=100)
                for entry in people:
                    ref, token = entry.split()
                    with meter.measuring("certificate", KIND_LABELS["certificate"]) as usage:
                        response = client.http.get(
                            f"/v2/registration/certificate/public/download?beneficiary_reference_id={ref}",
                            headers={"Authorization": f"Bearer {token}", "Accept": "application/pdf"})
                    assert response.status_code == 200, response.body
                    _responded(usage, response)
                for _ in range(availability_runs):
                    with meter.measuring("availability", KIND_LABELS["availability"]) as usage:
                        response = client.http.get(calendar)
                    assert response.status_code == 200
                    _responded(usage, response)
                progress(f"capacity: certificates and availability measured ({time.perf_counter() - started:.0f} s)")
                counting = _national_counting(meter, profile, today, now, read_locations)
            meter.uninstall()
    finally:
        for handler, stream in zip([h for h in handlers if hasattr(h, "setStream")], streams):
            handler.setStream(stream)
    districts = read_locations(profile.locations_file)["districts"]
    return {
        "measured_on": datetime.now(UTC).date().isoformat(),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                    "load_average": round(os.getloadavg()[0], 1)},
        "runs": runs, "availability_runs": availability_runs,
        "lambda_memory_mb": _lambda_memory_mb(), "reserved_concurrency": _reserved_concurrency(),
        "districts": len(districts), "languages": list(profile.languages),
        "typical_district": {"centres": TYPICAL_CENTRES, "sessions": district_sessions, "days": CALENDAR_DAYS},
        "kinds": {kind: meter.usage[kind].per_unit() for kind in KIND_LABELS if kind in meter.usage},
        "consumers": {name: meter.usage[f"consumer:{name}"].per_unit() for name in CONSUMERS
                      if f"consumer:{name}" in meter.usage},
        "counting": counting,
    }


def _responded(usage: Usage, response: Any) -> None:
    body = response.body if isinstance(response.body, bytes) else str(response.body or "").encode()
    usage.response_bytes += len(body)
    compressible = "json" in response.headers.get("Content-Type", "") or "text" in response.headers.get(
        "Content-Type", "")
    usage.response_gzip_bytes += len(gzip.compress(body, 6)) if compressible else len(body)


def _metered_consumer(meter: Meter, name: str, handler: Callable[..., Any]) -> Callable[..., Any]:
    def metered(event: dict, context: Any) -> Any:
        if not meter.consumers_on:
            return handler(event, context)
        with meter.measuring(f"consumer:{name}", name, records=max(len(event.get("Records", [])), 1)):
            return handler(event, context)

    return metered


def _reserved_concurrency() -> dict[str, int]:
    """The prod stage's reserved concurrency per function (.chalice/config.json)."""
    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
    functions = config["stages"].get("prod", {}).get("lambda_functions", {})
    return {name: int(settings["reserved_concurrency"]) for name, settings in sorted(functions.items())
            if "reserved_concurrency" in settings}


def _lambda_memory_mb() -> int:
    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
    return int(config["stages"].get("prod", {}).get("lambda_memory_size", config["lambda_memory_size"]))


SITES_IN_DISTRICT = 300  # the sites of the district whose slices are sized (docs/dashboard.md: 300 typical)
COUNTER_DIGITS = {"country": (7, 9), "state": (6, 8), "district": (5, 7), "slice": (4, 6)}  # (a day, all time)


def grown_counter_sizes(profile: Any, states: int, districts_in_state: int, item_bytes: Callable[[dict], int]
                        ) -> dict[str, int]:
    """Bytes of each kind of counter item at the end of a campaign, every cell present (a shard of the
    country's day item, of its all-time item, ...), from the rules' own cells (`domain/stats.dose_deltas`),
    with counts of COUNTER_DIGITS digits. The counters' table in moto holds only what was measured."""
    from chalicelib.domain import stats as rules

    cells: dict[str, set[str]] = defaultdict(set)
    kinds = {"country": "country", "state#": "state", "district#": "district"}
    for vaccine in profile.vaccines:
        for dose in (1, 2, 3):
            for band in profile.report_age_bands:
                for gender in profile.genders:
                    for hour in range(7, 21):
                        for state, district, site in ((1 + hour % states, 1, 1),):
                            fact = rules.DoseFact("2026-11-30", hour, state, district, site, vaccine.name, dose,
                                                  band.key, gender.id, dose == vaccine.total_doses)
                            for (area, period), changes in rules.dose_deltas(fact).items():
                                kind = next(k for prefix, k in kinds.items() if area.startswith(prefix))
                                kind = "slice" if "~" in period else kind
                                when = "all" if period.startswith("all") else "day"
                                cells[f"{kind} {when}"].update(c for c in changes if not c.startswith("a|"))
    children = {"country": states, "state": districts_in_state, "slice": math.ceil(SITES_IN_DISTRICT / 16)}
    sizes = {}
    for name in ("country day", "country all", "state day", "state all", "district day", "district all",
                 "slice day", "slice all"):
        kind, when = name.split()
        digits = COUNTER_DIGITS[kind][when == "all"]
        names = set(cells[name]) | {f"a|{child}|{what}" for child in range(1000, 1000 + children.get(kind, 0))
                                    for what in "1fd"}
        item = {"area": {"S": f"{kind}#12" if kind != "country" else "country"},
                "period": {"S": "2026-11-30#3" if when == "day" else "all#3"}}
        item |= {cell: {"N": "9" * digits} for cell in names}
        sizes[name] = item_bytes(item)
    return sizes


def _national_counting(meter: Meter, profile: Any, today: date, now: int, read_locations: Callable[..., Any]
                       ) -> dict:
    """The reports' counters for doses from all over the country (stream batches of 100, the dose day's
    shape), sized as at a campaign's end; and, for scale, batches of one district's doses."""
    import random

    from chalicelib.services import stats

    locations = read_locations(profile.locations_file)
    places = [(d["state_id"], d["district_id"]) for d in locations["districts"]]
    per_state = Counter(state for state, _ in places)
    sizes = grown_counter_sizes(profile, len(per_state), max(per_state.values()), meter.item_bytes)

    def size_of(table: str, key: dict) -> int | None:
        if table != "stats":
            return None
        area, period = key["area"]["S"], key["period"]["S"]
        if area.startswith(("applied#", "center#")):
            return None
        kind = ("country" if area.startswith("country") else "state" if area.startswith("state#") else
                "slice" if "~" in period else "district")
        return sizes[f"{kind} {'all' if period.startswith('all') else 'day'}"]

    rng = random.Random(19)
    given_at = int(datetime.combine(today, datetime.min.time(), UTC).timestamp()) + 6 * 3600

    def images(count: int, first: int, district: tuple[int, int] | None = None) -> list[dict]:
        made = []
        for n in range(count):
            state_id, district_id = district or rng.choice(places)
            made.append({"kind": "dose", "record_id": f"capacity-{first + n}", "given_at": given_at + n,
                         "given_on": today.isoformat(), "state_id": state_id, "district_id": district_id,
                         "center_id": district_id * 1000 + rng.randrange(SITES_IN_DISTRICT),
                         "vaccine": rng.choice(["COVISHIELD", "COVISHIELD", "COVAXIN"]), "dose": rng.choice([1, 1, 2]),
                         "birth_year": rng.randrange(1950, 2005), "gender_id": rng.choice([1, 2, 3])})
        return made

    meter.size_override = size_of
    try:
        for n in range(5):
            batch = images(STREAM_BATCH, n * STREAM_BATCH)
            with meter.measuring("count:national", "count_doses, batches of 100 doses from all over India",
                                 records=len(batch)):
                stats.count_doses(batch, profile, now)
            batch = images(STREAM_BATCH, 10_000 + n * STREAM_BATCH, district=places[n * 100])
            with meter.measuring("count:district", "count_doses, batches of 100 doses of one district",
                                 records=len(batch)):
                stats.count_doses(batch, profile, now)
    finally:
        meter.size_override = _as_stored
    return {"grown_item_bytes": sizes, "sites_in_district": SITES_IN_DISTRICT,
            "national": meter.usage["count:national"].per_unit(), "district": meter.usage["count:district"].per_unit()}


# -- the model (pure: inputs + the assumptions and prices above) -----------------------------------

API_FUNCTION = "api_handler"


@dataclass
class Load:
    """What some requests cost AWS, per second or per request (the same arithmetic either way)."""

    viewer_requests: float = 0.0  # reaching CloudFront
    viewer_bytes: float = 0.0  # sent to viewers (compressed where CloudFront compresses)
    edge_functions: float = 0.0  # CloudFront Function runs (public reads)
    api_requests: float = 0.0  # reaching API Gateway (and the API function)
    invocations: dict[str, float] = field(default_factory=_tally)  # function -> invocations
    lambda_seconds: dict[str, float] = field(default_factory=_tally)  # function -> seconds of duration
    read_units: dict[str, float] = field(default_factory=_tally)  # table or table/index -> units
    write_units: dict[str, float] = field(default_factory=_tally)
    hot_read: dict[str, float] = field(default_factory=_tally)  # key label -> units on its hottest instance
    hot_write: dict[str, float] = field(default_factory=_tally)
    queued: dict[str, float] = field(default_factory=_tally)  # queue -> messages
    sqs_requests: float = 0.0
    sms: float = 0.0
    sms_parts: float = 0.0
    kms_signs: float = 0.0
    s3_puts: float = 0.0
    s3_gets: float = 0.0
    log_bytes: float = 0.0

    def add(self, other: Load, times: float = 1.0) -> None:
        for name, value in vars(other).items():
            if isinstance(value, dict):
                accumulate(getattr(self, name), value, times)
            else:
                setattr(self, name, getattr(self, name) + value * times)

    def scaled(self, times: float) -> Load:
        result = Load()
        result.add(self, times)
        return result


def _scope_of(label: str) -> str:
    return label.rsplit("[", 1)[-1].rstrip("]")


def counter_shards() -> int:
    from chalicelib.store.stats import SHARDS

    return SHARDS


def _shards_of(label: str) -> int:
    """How many partition keys share a hot key's writes: the counters' areas are sharded in the key."""
    sharded = label.startswith("stats ") and _scope_of(label) in ("country", "state", "district")
    return counter_shards() if sharded else 1


def weighted_parts(parts: Mapping[str, float], languages: list[str]) -> float:
    """SMS parts as sent: the first language's for most accounts, the last one's (Hindi) for HINDI_SHARE."""
    if not parts:
        return 0.0
    first, last = parts.get(languages[0], 0.0), parts.get(languages[-1], 0.0)
    return first if len(languages) == 1 else first * (1 - HINDI_SHARE) + last * HINDI_SHARE


def counter_touch_units(sizes: Mapping[str, int]) -> dict[str, int]:
    """Write units a counting transaction spends on one place's items when any of its doses is from there:
    its day and all-time items (a district's own, and the slice of the site), transactional."""
    def both(kind: str) -> int:
        return write_units(sizes[f"{kind} day"], True) + write_units(sizes[f"{kind} all"], True)

    return {"country": both("country"), "state": both("state"), "district": both("district") + both("slice")}


class Model:
    """The model's arithmetic over recorded inputs."""

    def __init__(self, inputs: Mapping[str, Any]):
        self.inputs = inputs
        self.memory_mb = int(inputs["lambda_memory_mb"])
        self.kinds = {kind: inputs["kinds"][kind] for kind in KIND_LABELS if kind in inputs["kinds"]}
        self.consumers = dict(inputs["consumers"])
        # The counters measured on batches of doses from all over India, sized as at a campaign's end.
        self.consumers["count_doses"] = {**inputs["counting"]["national"], "spread": True}
        self.languages = list(inputs["languages"])

    # one measured unit (a request, or a consumer's record) and what it causes downstream
    def _direct(self, usage: Mapping[str, Any], function: str, per_invocation: float) -> Load:
        load = Load()
        load.invocations[function] += per_invocation
        seconds = lambda_seconds(usage["cpu_ms"] / 1000, usage["calls"], usage["read_bytes"], self.memory_mb)
        load.lambda_seconds[function] += seconds
        accumulate(load.read_units, usage["read_units"])
        accumulate(load.write_units, usage["write_units"])
        if usage.get("spread", False):
            accumulate(load.hot_write, self.counter_hot(usage))
        else:
            for label, units in usage["hot_write_units"].items():
                share = HOTTEST_SHARE[_scope_of(label)] / _shards_of(label)
                if share:
                    load.hot_write[label] += units * share
        for label, units in usage["hot_read_units"].items():
            share = HOTTEST_SHARE[_scope_of(label)]
            if share and not label.startswith("sessions/by-district-date"):  # availability: see cdn()
                load.hot_read[label] += units * share
        accumulate(load.queued, usage["queued"])
        load.sqs_requests += sum(usage["queued"].values()) * SQS_REQUESTS_PER_MESSAGE
        if function != "deliver_sms":  # its SMS were counted when they were queued
            load.sms += usage["sms"] + usage["queued"].get("sms", 0)
            load.sms_parts += (weighted_parts(usage["sms_parts"], self.languages)
                               + weighted_parts(usage["queued_sms_parts"], self.languages))
        load.kms_signs += usage["kms_signs"]
        load.s3_puts += usage["calls"].get("s3.PutObject", 0)
        load.s3_gets += usage["calls"].get("s3.GetObject", 0)
        load.log_bytes += usage["log_bytes"] + PLATFORM_LOG_BYTES * per_invocation
        return load

    def counter_hot(self, usage: Mapping[str, Any]) -> dict[str, float]:
        """Write units a dose adds to the hottest country, state and district counters. A counting transaction
        carries `per` doses from all over the country and writes each of their places' items once: the
        hottest place, with a share s of the doses, is in a transaction with probability 1 - (1 - s)^per."""
        transactions = usage["calls"].get("dynamodb.TransactWriteItems", 0.0)
        if not transactions:
            return {}
        per = 1 / transactions
        touch = counter_touch_units(self.inputs["counting"]["grown_item_bytes"])
        # Each transaction writes one shard of each area, at random: a shard's partition takes 1/SHARDS of it.
        shards = counter_shards()
        return {f"stats [{scope}]": transactions * units * (1 - (1 - HOTTEST_SHARE[scope]) ** per) / shards
                for scope, units in touch.items()}

    def consumer(self, name: str, depth: int = 0) -> Load:
        """One record (or message) handled by a consumer, and what it causes in turn."""
        usage = self.consumers.get(name)
        if usage is None:
            return Load()
        kind, _ = CONSUMERS[name]
        load = self._direct(usage, name, 1 / (SQS_BATCH if kind == "queue" else STREAM_BATCH))
        if depth < 4:
            load.add(self._caused(usage, depth + 1))
        return load

    def _caused(self, usage: Mapping[str, Any], depth: int) -> Load:
        load = Load()
        for source, counts in (("queue", usage["queued"]), ("stream", usage["streamed"])):
            for target, n in counts.items():
                for name, (kind, fed_by) in CONSUMERS.items():
                    if kind == source and fed_by == target:
                        load.add(self.consumer(name, depth), n)
        return load

    def request(self, kind: str) -> Load:
        """One request of `kind` at the origin, through CloudFront, and everything it causes."""
        usage = self.kinds[kind]
        load = self._direct(usage, API_FUNCTION, 1.0)
        load.api_requests += 1
        load.viewer_requests += 1
        load.viewer_bytes += usage["response_gzip_bytes"]
        load.add(self._caused(usage, 1))
        return load

    # the CDN
    def cdn(self, viewer_rate: float) -> dict[str, float]:
        keys_per_district = DATES_ASKED * len(self.languages) * ENCODINGS
        keys = int(self.inputs["districts"]) * keys_per_district
        origin = origin_fetches_per_second(viewer_rate, keys, INDEPENDENT_CACHES, CACHE_TTL_SECONDS)
        shield = origin_fetches_per_second(viewer_rate, keys, 1, CACHE_TTL_SECONDS)
        per_district = min(viewer_rate * HOTTEST_SHARE["district"],
                           keys_per_district * INDEPENDENT_CACHES / CACHE_TTL_SECONDS)
        return {"viewer": viewer_rate, "keys": keys, "keys_per_district": keys_per_district, "origin": origin,
                "hit_ratio": 1 - origin / viewer_rate if viewer_rate else 1.0, "origin_with_shield": shield,
                "hottest_district_fetches": per_district}

    def availability(self, viewer_rate: float) -> Load:
        """Availability reads: every one at the edge, the CDN's misses at the origin."""
        cdn = self.cdn(viewer_rate)
        usage = self.kinds["availability"]
        load = self.request("availability").scaled(cdn["origin"])
        load.viewer_requests += viewer_rate - cdn["origin"]
        load.viewer_bytes += (viewer_rate - cdn["origin"]) * usage["response_gzip_bytes"]
        load.edge_functions += viewer_rate
        for label, units in usage["hot_read_units"].items():
            if label.startswith("sessions/by-district-date"):
                load.hot_read[label] += units * cdn["hottest_district_fetches"]
        return load

    # the two scenarios
    def mix(self) -> Load:
        load = Load()
        for kind, share in MIX.items():
            rate = MIX_REQUESTS_PER_SECOND * share
            load.add(self.availability(rate) if kind == "availability" else self.request(kind).scaled(rate))
        return load

    def peak_dose_rate(self) -> float:
        return DOSES_PER_DAY / (VACCINATION_HOURS * 3600) * PEAK_HOUR_FACTOR

    def journey(self, steps: Mapping[str, float]) -> Load:
        load = Load()
        for kind, n in steps.items():
            load.add(self.request(kind), n)
        return load

    def dose_day(self) -> Load:
        """The busiest hour of a 20-million-dose day: each dose, and the booking made for it."""
        load = self.journey(DOSE_JOURNEY)
        load.add(self.journey(BOOKING_JOURNEY))
        return load.scaled(self.peak_dose_rate())

    # money
    def costs(self, load: Load) -> dict[str, float]:
        gb_seconds = sum(load.lambda_seconds.values()) * self.memory_mb / 1024
        p = {name: price.usd for name, price in PRICES.items()}
        return {
            "Lambda requests": sum(load.invocations.values()) * p["lambda_request"],
            "Lambda duration": gb_seconds * p["lambda_gb_second"],
            "API Gateway (REST)": load.api_requests * p["apigw_rest_request"],
            "DynamoDB reads": sum(load.read_units.values()) * p["dynamodb_read_unit"],
            "DynamoDB writes": sum(load.write_units.values()) * p["dynamodb_write_unit"],
            "SQS": load.sqs_requests * p["sqs_request"],
            "SMS": load.sms_parts * p["sms_india"],
            "KMS": load.kms_signs * p["kms_asymmetric_request"],
            "S3": load.s3_puts * p["s3_put"] + load.s3_gets * p["s3_get"],
            "CloudFront": (load.viewer_requests * p["cloudfront_https_request"]
                           + load.viewer_bytes / 1e9 * p["cloudfront_gb_out"]
                           + load.edge_functions * p["cloudfront_function"]),
            "CloudWatch Logs": load.log_bytes / 1e9 * p["logs_gb"],
        }

    def concurrency(self, load: Load) -> dict[str, float]:
        return {function: seconds for function, seconds in load.lambda_seconds.items()}


# -- the document ----------------------------------------------------------------------------------

def num(x: float) -> str:
    """A figure, rounded as its size deserves."""
    if x == 0:
        return "0"
    if float(x).is_integer():
        return f"{int(x):,}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.2g}"


def usd(x: float) -> str:
    if abs(x) >= 100:
        return f"${x:,.0f}"
    if abs(x) >= 1:
        return f"${x:,.2f}"
    return f"${x:.2g}" if x else "$0"


def pct(x: float) -> str:
    return f"{x * 100:.1f}%" if x < 0.995 or x > 1.005 else "100%"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(row) + " |" for row in rows), ""]


def _calls(calls: Mapping[str, float]) -> str:
    return ", ".join(f"{name.split('.', 1)[1]} {num(n)}" if name.startswith("dynamodb.") else f"{name} {num(n)}"
                     for name, n in sorted(calls.items(), key=lambda item: (not item[0].startswith("dynamodb"),
                                                                            item[0]))) or "none"


def _units(units: Mapping[str, float]) -> str:
    return num(sum(units.values())) if units else "0"


def _hot_rows(load: Load) -> list[tuple[str, str, float, float]]:
    """(key, scope, read units/s, write units/s) of every key label, hottest first."""
    labels = set(load.hot_read) | set(load.hot_write)
    rows = [(label.rsplit(" [", 1)[0], _scope_of(label), load.hot_read[label], load.hot_write[label])
            for label in labels]
    return sorted(rows, key=lambda row: (-max(row[2] / PARTITION_READ_LIMIT, row[3] / PARTITION_WRITE_LIMIT), row))


def _hottest(load: Load) -> str:
    key, scope, read, write = _hot_rows(load)[0]
    if write / PARTITION_WRITE_LIMIT >= read / PARTITION_READ_LIMIT:
        return f"`{key}` ({scope}): {num(write)} WCU/s, {pct(write / PARTITION_WRITE_LIMIT)} of 1,000"
    return f"`{key}` ({scope}): {num(read)} RCU/s, {pct(read / PARTITION_READ_LIMIT)} of 3,000"


def render(inputs: Mapping[str, Any]) -> str:
    """docs/capacity.md from the recorded inputs: the same inputs give the same document."""
    m = Model(inputs)
    mix, day = m.mix(), m.dose_day()
    viewer_availability = MIX_REQUESTS_PER_SECOND * MIX["availability"]
    cdn = m.cdn(viewer_availability)
    dose_rate = m.peak_dose_rate()
    booking, dose = m.journey(BOOKING_JOURNEY), m.journey(DOSE_JOURNEY)
    searches_per_booking = viewer_availability / (MIX_REQUESTS_PER_SECOND * MIX["book"])
    search = m.availability(viewer_availability).scaled(1 / viewer_availability)
    booking_with_searches = booking.scaled(1)
    booking_with_searches.add(search, searches_per_booking)
    cost = {name: m.costs(load) for name, load in (("booking", booking), ("searches", booking_with_searches),
                                                   ("dose", dose), ("mix", mix), ("day", day))}
    memory = m.memory_mb
    lines = [
        "# Capacity and cost",
        "",
        f"Generated by `python -m local.capacity` on {inputs['measured_on']} from the measurements it recorded in "
        "`bench/results/capacity-inputs.json`; do not edit (`python -m local.capacity --render` renders it again "
        f"from that file). Prices in USD for ap-south-1 (Mumbai), as read on {PRICES_READ_ON}: see "
        "[prices](#prices), where each one's source is named and the ones that could not be confirmed are marked.",
        "",
        "## Headline",
        "",
    ]
    lines += _table(["", f"{MIX_REQUESTS_PER_SECOND:,} requests/s (the mix below)",
                     f"{DOSES_PER_DAY / 1e6:.0f} M doses a day: its peak hour ({num(dose_rate)} doses/s)"], [
        ["Lambda concurrency, all functions (the API's)",
         f"**{num(sum(mix.lambda_seconds.values()))}** ({num(mix.lambda_seconds[API_FUNCTION])})",
         f"**{num(sum(day.lambda_seconds.values()))}** ({num(day.lambda_seconds[API_FUNCTION])})"],
        [f"Lambda GB-seconds a second ({memory} MB)", num(sum(mix.lambda_seconds.values()) * memory / 1024),
         num(sum(day.lambda_seconds.values()) * memory / 1024)],
        ["DynamoDB read / write units a second", f"{num(sum(mix.read_units.values()))} / "
         f"{num(sum(mix.write_units.values()))}",
         f"{num(sum(day.read_units.values()))} / {num(sum(day.write_units.values()))}"],
        ["Hottest partition key (its share of the partition's limit)", _hottest(mix), _hottest(day)],
        ["CDN hit ratio (availability reads)", f"{pct(cdn['hit_ratio'])} ({num(cdn['origin'])} origin fetches/s)",
         "not modelled (the mix's)"],
        ["SMS a second (message parts)", f"{num(mix.sms)} ({num(mix.sms_parts)})", f"{num(day.sms)} "
         f"({num(day.sms_parts)})"],
        [f"KMS signs a second (default quota {KMS_SIGN_QUOTA_PER_SECOND})", num(mix.kms_signs), num(day.kms_signs)],
        ["SQS messages a second", num(sum(mix.queued.values())), num(sum(day.queued.values()))],
        ["Cost an hour at that rate", usd(sum(cost["mix"].values()) * 3600), usd(sum(cost["day"].values()) * 3600)],
    ])
    sms_share = cost["booking"]["SMS"] / sum(cost["booking"].values())
    lines += [
        f"- **Cost per million bookings: {usd(sum(cost['booking'].values()) * 1e6)}** (the booking journey: "
        + ", ".join(f"{num(n)} {KIND_LABELS[k].split(' (')[0]}" for k, n in BOOKING_JOURNEY.items())
        + f"; SMS {pct(sms_share)} of it); {usd(sum(cost['searches'].values()) * 1e6)} with the mix's "
        f"{num(searches_per_booking)} availability searches per booking apportioned to it.",
        f"- **Cost per million doses: {usd(sum(cost['dose'].values()) * 1e6)}** (door check, dose, one certificate "
        "download, and what they cause: certificate, SMS, counters; SMS "
        f"{pct(cost['dose']['SMS'] / sum(cost['dose'].values()))} of it).",
        f"- Without SMS: {usd((sum(cost['booking'].values()) - cost['booking']['SMS']) * 1e6)} per million bookings, "
        f"{usd((sum(cost['dose'].values()) - cost['dose']['SMS']) * 1e6)} per million doses. Over international "
        "routes (before DLT registration) SMS would cost "
        f"{num(PRICES['sms_india_international'].usd / PRICES['sms_india'].usd)} times as much.",
        "",
        *_findings(m, mix, day, cdn),
    ]
    lines += _measured(m, inputs)
    lines += _assumptions(inputs, cdn)
    lines += _scenario(m, "30,000 requests a second", mix, cdn=cdn)
    lines += _scenario(m, f"{DOSES_PER_DAY / 1e6:.0f} million doses a day, at its peak hour", day)
    lines += _money(cost, searches_per_booking)
    lines += _prices()
    lines += _left_out()
    return "\n".join(lines).rstrip() + "\n"


def _findings(m: Model, mix: Load, day: Load, cdn: Mapping[str, float]) -> list[str]:
    """What the numbers say, in sentences computed from them."""
    found = ["What the numbers say:", ""]
    for name, load in (("the mix", mix), ("the dose day", day)):
        for key, scope, read, write in _hot_rows(load):
            if write > PARTITION_WRITE_LIMIT or read > PARTITION_READ_LIMIT:
                taken = (f"{num(write)} WCU/s on one partition key: {pct(write / PARTITION_WRITE_LIMIT)} of a "
                         "partition's 1,000" if write / PARTITION_WRITE_LIMIT >= read / PARTITION_READ_LIMIT else
                         f"{num(read)} RCU/s on one partition key: {pct(read / PARTITION_READ_LIMIT)} of a "
                         "partition's 3,000")
                found.append(f"- In {name}, `{key}` ({scope}) takes {taken}. DynamoDB may split "
                             "its items by sort key when the heat lasts (adaptive capacity), but nothing guarantees it "
                             "in time; spreading the key itself (its shards in the partition key, not the sort key) "
                             "bounds it.")
    for name, load in (("the mix", mix), ("the dose day", day)):
        for table in sorted(set(load.read_units) | set(load.write_units)):
            units = max(load.read_units[table], load.write_units[table])
            if units > TABLE_QUOTA:
                what = "read" if load.read_units[table] >= load.write_units[table] else "write"
                found.append(f"- In {name}, `{table}` takes {num(units)} {what} units a second, over an on-demand "
                             f"table's default quota of {TABLE_QUOTA:,}: ask for more before the campaign.")
    reserved = m.inputs.get("reserved_concurrency", {})
    for name, load in (("the mix", mix), ("the dose day", day)):
        over = [f"`{function}` {num(seconds)} (reserved {reserved[function]})"
                for function, seconds in sorted(load.lambda_seconds.items(), key=lambda item: (-item[1], item[0]))
                if function in reserved and seconds > reserved[function]]
        total = sum(load.lambda_seconds.values())
        if over or total > ACCOUNT_CONCURRENCY:
            found.append(f"- {name.capitalize()} needs {num(total)} concurrent executions (the account's default is "
                         f"{ACCOUNT_CONCURRENCY:,})" + (f"; over their prod reservations: {', '.join(over)}"
                                                        if over else "")
                         + ". The API's requests beyond its reservation are throttled (429); a queue's consumers "
                         "fall behind instead, and a stream's run one batch per shard at a time (raise their "
                         "parallelization factor, up to 10).")
    for name, load in (("the mix", mix), ("the dose day", day)):
        if load.kms_signs > KMS_SIGN_QUOTA_PER_SECOND:
            hours = DOSES_PER_DAY / KMS_SIGN_QUOTA_PER_SECOND / 3600
            found.append(f"- In {name}, certificates need {num(load.kms_signs)} kms:Sign a second against the default "
                         f"{KMS_SIGN_QUOTA_PER_SECOND}: at the quota, {DOSES_PER_DAY / 1e6:.0f} M certificates take "
                         f"{num(hours)} hours of signing (the certificates queue absorbs the peak; raise the quota to "
                         "issue within the hour).")
    long_sms = []
    for name, usage in [*((KIND_LABELS[k].split(" (")[0], u) for k, u in m.kinds.items()),
                        *((f"`{c}`", u) for c, u in m.consumers.items() if c != "deliver_sms")]:
        sent = ((usage["sms_parts"], usage["sms"]), (usage["queued_sms_parts"], usage["queued"].get("sms", 0)))
        for parts, count in sent:
            first = parts.get(m.languages[0], 0) / count if count else 0
            if first > 1:
                long_sms.append(f"{name} ({num(first)} parts in {m.languages[0]}, "
                                f"{num(parts.get(m.languages[-1], 0) / count)} in {m.languages[-1]})")
    if long_sms:
        found.append("- SMS is nearly all of the cost, and is billed by the part. Longer than one part: the SMS of "
                     + ", ".join(long_sms) + ".")
    counters = day.write_units.get("stats", 0.0) / sum(day.write_units.values())
    found.append(f"- The public reports' counters are {pct(counters)} of the dose day's write units "
                 f"({num(m.consumers['count_doses']['write_units'].get('stats', 0))} a dose: counter items of "
                 "4-7 KB, written transactionally, each batch's items shared by only ~"
                 f"{num(1 / m.consumers['count_doses']['calls']['dynamodb.TransactWriteItems'])} doses).")
    availability = m.kinds["availability"]
    seconds = lambda_seconds(availability["cpu_ms"] / 1000, availability["calls"], availability["read_bytes"],
                             m.memory_mb)
    share = cdn["origin"] * seconds / mix.lambda_seconds[API_FUNCTION]
    found.append(f"- An availability fetch at the origin ({num(m.inputs['typical_district']['sessions'])} sessions, "
                 f"{num(availability['read_bytes'] / 1024)} KB read) takes {num(seconds * 1000)} ms of a "
                 f"{m.memory_mb} MB Lambda, most of it parsing DynamoDB's answer (botocore, PynamoDB): the CDN's "
                 f"{num(cdn['origin'])} fetches a second are {pct(share)} of the API's concurrency in the mix.")
    found.append(f"- CloudFront's cache keys multiply a district's fetches by {cdn['keys_per_district']} "
                 f"({DATES_ASKED} dates x {len(m.languages)} languages x {ENCODINGS} encodings) per cache; Origin "
                 f"Shield (one cache) would bring {num(cdn['origin'])} origin fetches/s to "
                 f"{num(cdn['origin_with_shield'])}.")
    found.append("")
    return found


def _measured(m: Model, inputs: Mapping[str, Any]) -> list[str]:
    runs = inputs["runs"]
    lines = [
        "## Measured inputs",
        "",
        f"On {inputs['machine']['cores']} cores (load average {inputs['machine'].get('load_average', '?')} at the "
        f"end: the machine is shared), Python {inputs['machine']['python']}, in-process on moto: each kind "
        f"{runs} times (availability {inputs['availability_runs']}), after one unmeasured journey (a warm container). "
        f"CPU is the median per request of this process's CPU time (`time.process_time`); {MOTO_EXCLUDED}. "
        f"botocore's client side (serialising, parsing answers) and PynamoDB stay in: a Lambda spends them too. "
        f"Lambda ms adds each AWS call's assumed latency and stretches the CPU to {m.memory_mb} MB's share of a vCPU "
        f"({m.memory_mb}/{FULL_VCPU_MB}). Units are DynamoDB's billing of the items as stored "
        "(reads per 4 KB, half when eventually consistent, double in a transaction; writes per 1 KB of the larger "
        "of before and after, double in a transaction; global secondary index writes added, not doubled). The "
        f"availability read is `calendarByDistrict` of a district of {inputs['typical_district']['centres']} centres "
        f"({inputs['typical_district']['sessions']} sessions over {inputs['typical_district']['days']} days, names "
        "in English and Hindi).",
        "",
    ]
    rows = []
    for kind, usage in m.kinds.items():
        seconds = lambda_seconds(usage["cpu_ms"] / 1000, usage["calls"], usage["read_bytes"], m.memory_mb)
        parts = "/".join(num(usage["sms_parts"].get(lang, 0) / usage["sms"]) for lang in m.languages) \
            if usage["sms"] else ""
        rows.append([KIND_LABELS[kind], str(usage["measured"]), num(usage["cpu_ms"]), num(seconds * 1000),
                     _calls(usage["calls"]), _units(usage["read_units"]), _units(usage["write_units"]),
                     ", ".join(f"{q} {num(n)}" for q, n in usage["queued"].items()) or "",
                     ", ".join(f"{t} {num(n)}" for t, n in usage["streamed"].items()) or "",
                     f"{num(usage['sms'])} ({parts})" if usage["sms"] else "",
                     f"{num(usage['response_bytes'])} ({num(usage['response_gzip_bytes'])})"])
    lines += _table(["request", "n", "CPU ms", "Lambda ms", "AWS calls", "RCU", "WCU", "SQS messages",
                     "stream records", f"SMS (parts {'/'.join(m.languages)})", "answer bytes (compressed)"], rows)
    lines += ["Units by table (index after the slash), per request:", ""]
    lines += _table(["request", "read units", "write units"], [
        [KIND_LABELS[kind], ", ".join(f"{t} {num(n)}" for t, n in usage["read_units"].items()) or "",
         ", ".join(f"{t} {num(n)}" for t, n in usage["write_units"].items()) or ""]
        for kind, usage in m.kinds.items()])
    lines += ["What each request causes later, per record or message handled (CPU per record over whole batches; "
              "`count_doses` measured apart on batches of 100 doses from all over India, each counter item sized "
              "as at a campaign's end):", ""]
    rows = []
    for name, usage in m.consumers.items():
        kind, source = CONSUMERS[name]
        seconds = lambda_seconds(usage["cpu_ms"] / 1000, usage["calls"], usage["read_bytes"], m.memory_mb)
        rows.append([f"`{name}` ({source} {kind})", str(usage["measured"]), num(usage["cpu_ms"]), num(seconds * 1000),
                     _calls(usage["calls"]), _units(usage["read_units"]), _units(usage["write_units"]),
                     ", ".join(f"{q} {num(n)}" for q, n in usage["queued"].items()) or "",
                     num(usage["kms_signs"]) if usage["kms_signs"] else "",
                     num(usage["s3_put_bytes"]) if usage["s3_put_bytes"] else ""])
    lines += _table(["consumer (fed by)", "records", "CPU ms", "Lambda ms", "AWS calls", "RCU", "WCU",
                     "SQS messages", "KMS signs", "S3 bytes put"], rows)
    counting = inputs["counting"]
    lines += [f"Counter items at a campaign's end (bytes; every cell present, counts of up to 9 digits, "
              f"{counting['sites_in_district']} sites in a district): "
              + ", ".join(f"{name} {size:,}" for name, size in counting["grown_item_bytes"].items())
              + ". A batch of 100 doses of one district writes "
              f"{num(counting['district']['write_units'].get('stats', 0))} units a dose; from all over India, "
              f"{num(counting['national']['write_units'].get('stats', 0))}.", ""]
    return lines


def _assumptions(inputs: Mapping[str, Any], cdn: Mapping[str, float]) -> list[str]:
    languages = len(inputs["languages"])
    return [
        "## Assumptions",
        "",
        f"- **The mix** ({MIX_REQUESTS_PER_SECOND:,} requests/s reaching CloudFront, CoWIN's peak): "
        + ", ".join(f"{KIND_LABELS[k].split(' (')[0]} {pct(v)}" for k, v in MIX.items())
        + ". Availability reads are all `calendarByDistrict` of the measured district: the heaviest public read.",
        f"- **The CDN**: answers live {CACHE_TTL_SECONDS} s; a key is a district ({inputs['districts']}), a date "
        f"({DATES_ASKED} asked: today and tomorrow), a language ({languages}) and an encoding ({ENCODINGS}): "
        f"{cdn['keys']:,} keys. Each is fetched from the origin once per TTL per independent cache, "
        f"{INDEPENDENT_CACHES} of them (the regional edge caches in front of Indian viewers, with a margin); the "
        "reads spread evenly over the keys, the worst case (any skew toward popular districts fetches less). "
        "The hottest district's partition of the sessions index then sees at most "
        f"{num(cdn['hottest_district_fetches'])} fetches a second.",
        f"- **The dose day**: {DOSES_PER_DAY:,} doses in {VACCINATION_HOURS} working hours, the peak hour "
        f"{PEAK_HOUR_FACTOR}x the mean; every dose had a booking made at the same rate. A booking is "
        + ", ".join(f"{num(n)} {KIND_LABELS[k].split(' (')[0]}" for k, n in BOOKING_JOURNEY.items())
        + "; a dose is " + ", ".join(f"{num(n)} {KIND_LABELS[k].split(' (')[0]}" for k, n in DOSE_JOURNEY.items())
        + ", and everything they cause.",
        f"- **Lambda**: {inputs['lambda_memory_mb']} MB (`.chalice/config.json`), {FULL_VCPU_MB} MB = 1 vCPU, a Lambda "
        "vCPU as fast as this machine's core; each AWS call adds its latency to the duration: "
        + ", ".join(f"{name} {ms} ms" for name, ms in LATENCY_MS.items())
        + f"; SQS batches of {SQS_BATCH}, stream batches of {STREAM_BATCH}; {PLATFORM_LOG_BYTES} bytes of "
        "Lambda's own log lines per invocation.",
        f"- **SMS**: {pct(HINDI_SHARE)} of accounts read Hindi (UCS-2: 70 characters a part), the rest English "
        "(GSM-7: 160).",
        "- **Hot keys**: the hottest instance of each kind of partition key takes this share of the national rate: "
        + ", ".join(f"{scope} {pct(share)}" for scope, share in HOTTEST_SHARE.items() if scope != "person")
        + "; a person's keys (mobile, beneficiary, OTP) are negligible. The counters: a counting transaction "
        "carries the doses of a stream batch from all over the country and writes each of their places' items "
        "once, so the hottest place, with a share s of the doses, is in a transaction with the probability "
        "1 - (1 - s)^n, n the doses per transaction (measured).",
        "",
    ]


def _scenario(m: Model, title: str, load: Load, cdn: Mapping[str, float] | None = None) -> list[str]:
    lines = [f"## {title}", ""]
    if cdn is not None:
        rows = []
        for kind, share in MIX.items():
            rate = MIX_REQUESTS_PER_SECOND * share
            origin = cdn["origin"] if kind == "availability" else rate
            rows.append([KIND_LABELS[kind], pct(share), num(rate), num(origin)])
        lines += _table(["request", "share", "at CloudFront /s", "at the origin /s"], rows)
        lines += [f"CDN: {num(cdn['viewer'])} availability reads/s over {cdn['keys']:,} keys, {num(cdn['origin'])} "
                  f"reach the origin: a hit ratio of **{pct(cdn['hit_ratio'])}** ({num(cdn['origin_with_shield'])} "
                  f"with Origin Shield). CloudFront sends {num(load.viewer_bytes / 1e6)} MB/s to viewers.", ""]
    gb = m.memory_mb / 1024
    rates = ({kind: MIX_REQUESTS_PER_SECOND * share for kind, share in MIX.items()} if cdn is not None else
             {kind: m.peak_dose_rate() * (BOOKING_JOURNEY.get(kind, 0) + DOSE_JOURNEY.get(kind, 0))
              for kind in KIND_LABELS if kind in BOOKING_JOURNEY or kind in DOSE_JOURNEY})
    if cdn is not None:
        rates["availability"] = cdn["origin"]
    rows = []
    for kind, rate in rates.items():
        usage = m.kinds[kind]
        seconds = lambda_seconds(usage["cpu_ms"] / 1000, usage["calls"], usage["read_bytes"], m.memory_mb)
        rows.append([KIND_LABELS[kind], num(rate), num(seconds * 1000), num(rate * seconds)])
    lines += ["The API function's share, by request (at the origin):", ""]
    lines += _table(["request", "per second", "Lambda ms", "concurrency"], rows)
    reserved = m.inputs.get("reserved_concurrency", {})
    lines += ["Lambda (concurrency = invocations a second x duration; reserved: the prod stage's share, "
              "`.chalice/config.json`):", ""]
    lines += _table(["function", "invocations/s", "concurrency", "reserved", "GB-s/s"], [
        [f"`{function}`", num(load.invocations[function]), num(seconds), str(reserved.get(function, "")),
         num(seconds * gb)]
        for function, seconds in sorted(load.lambda_seconds.items(), key=lambda item: (-item[1], item[0]))]
        + [["**all**", num(sum(load.invocations.values())), f"**{num(sum(load.lambda_seconds.values()))}**",
            f"{sum(reserved.values())} of {ACCOUNT_CONCURRENCY:,}", num(sum(load.lambda_seconds.values()) * gb)]])
    lines += ["DynamoDB, units a second by table (index after the slash; an on-demand table takes them as they come "
              f"up to its quota, {TABLE_QUOTA:,} read and {TABLE_QUOTA:,} write units a second by default):", ""]
    tables = sorted(set(load.read_units) | set(load.write_units),
                    key=lambda t: (-round(load.read_units[t] + load.write_units[t], 6), t))
    lines += _table(["table", "read units/s", "write units/s", "of the quota"],
                    [[f"`{t}`", num(load.read_units[t]), num(load.write_units[t]),
                      pct(max(load.read_units[t], load.write_units[t]) / TABLE_QUOTA)] for t in tables]
                    + [["**all**", num(sum(load.read_units.values())), num(sum(load.write_units.values())), ""]])
    lines += ["Partition keys, their hottest instance (limits: 1,000 WCU and 3,000 RCU a partition):", ""]
    lines += _table(["key", "what it is", "read units/s", "write units/s", "of the limit"], [
        [f"`{key}`", scope, num(read), num(write),
         pct(max(read / PARTITION_READ_LIMIT, write / PARTITION_WRITE_LIMIT))]
        for key, scope, read, write in _hot_rows(load)])
    queues = ", ".join(f"{q} {num(n)}" for q, n in sorted(load.queued.items(), key=lambda item: (-item[1], item[0])))
    lines += [f"Queues: {num(sum(load.queued.values()))} SQS messages/s ({queues}), {num(load.sqs_requests)} SQS "
              f"requests/s. SMS: {num(load.sms)}/s, {num(load.sms_parts)} parts/s (SNS's account SMS quotas must be "
              f"raised to this). KMS: {num(load.kms_signs)} signs/s against a default {KMS_SIGN_QUOTA_PER_SECOND}/s. "
              f"S3: {num(load.s3_puts)} puts/s, {num(load.s3_gets)} gets/s. API Gateway: {num(load.api_requests)} "
              f"requests/s. Logs: {num(load.log_bytes / 1e6)} MB/s.", ""]
    return lines


def _money(cost: Mapping[str, Mapping[str, float]], searches_per_booking: float) -> list[str]:
    services = list(next(iter(cost.values())))
    lines = ["## Cost", "",
             "Per million, at the prices below (first tiers, no free tier, no savings plan):", ""]
    lines += _table(["service", "per million bookings", f"... with {num(searches_per_booking)} searches each",
                     "per million doses", "an hour of the mix", "an hour of the dose peak"], [
        [service, usd(cost["booking"][service] * 1e6), usd(cost["searches"][service] * 1e6),
         usd(cost["dose"][service] * 1e6), usd(cost["mix"][service] * 3600), usd(cost["day"][service] * 3600)]
        for service in services] + [[
            "**total**", f"**{usd(sum(cost['booking'].values()) * 1e6)}**",
            f"**{usd(sum(cost['searches'].values()) * 1e6)}**", f"**{usd(sum(cost['dose'].values()) * 1e6)}**",
            f"**{usd(sum(cost['mix'].values()) * 3600)}**", f"**{usd(sum(cost['day'].values()) * 3600)}**"]])
    return lines


def _prices() -> list[str]:
    lines = ["## Prices", "",
             f"USD, ap-south-1 (Mumbai) or India's edge, as read on {PRICES_READ_ON} from stored copies of the sources "
             "(no live access). **Assumed** marks a figure that could not be confirmed for Mumbai: it is used as "
             "stated, and the cost lines that use it are as uncertain.", ""]
    lines += _table(["price", "USD", "per", "source", "confirmed"], [
        [name, f"{price.usd * 1e6:.4g} per million" if price.usd < 0.001 else f"{price.usd:.4g}", price.unit,
         price.source + (f"; {price.note}" if price.note else ""),
         "yes" if price.confirmed else "**assumed**"] for name, price in PRICES.items()])
    return lines


def _left_out() -> list[str]:
    return ["## Not modelled", "",
            "Storage (DynamoDB, S3, point-in-time recovery, backups), X-Ray traces (the prod stage traces), "
            "CloudWatch metrics, alarms and dashboards, WAF, data sent to the origin (request bodies), DynamoDB "
            "Streams reads (free for Lambda triggers), KMS calls of S3's SSE-KMS (the bucket key makes them rare), "
            "cold starts, retries and throttling, the tiered discounts of high volumes, free tiers, DLT registration "
            "fees, and taxes. CPU speed: a Lambda vCPU may be faster or slower than this machine's core.", ""]


# -- the command -----------------------------------------------------------------------------------

def _environment() -> None:
    """The local stage on an in-process moto, as local/bench.py sets it (logs at the prod level, INFO)."""
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update({"TEEKA_STAGE": "local", "AWS_ACCESS_KEY_ID": "capacity", "AWS_SECRET_ACCESS_KEY": "capacity",
                       "AWS_DEFAULT_REGION": "ap-south-1", "AWS_REGION": "ap-south-1",
                       "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "INFO"})
    sys.path.insert(0, str(PROJECT_DIR))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The capacity and cost model: docs/capacity.md")
    parser.add_argument("--render", action="store_true",
                        help="render docs/capacity.md from bench/results/capacity-inputs.json, without measuring")
    parser.add_argument("--runs", type=int, default=30, help="times each request kind is measured")
    parser.add_argument("--availability-runs", type=int, default=7, help="times the availability read is measured")
    arguments = parser.parse_args(argv)
    if not arguments.render:
        _environment()
        started = time.perf_counter()
        print(f"capacity: measuring each request kind {arguments.runs} times on moto (2-3 minutes)...", flush=True)
        terminal = sys.stdout  # the measurement sends the app's own output (its logs and metrics) elsewhere
        inputs = measure(arguments.runs, arguments.availability_runs,
                         progress=lambda message: print(message, file=terminal, flush=True))
        INPUTS.parent.mkdir(parents=True, exist_ok=True)
        INPUTS.write_text(json.dumps(inputs, indent=1, sort_keys=True) + "\n")
        print(f"capacity: measured in {time.perf_counter() - started:.0f} s, written to "
              f"{INPUTS.relative_to(PROJECT_DIR)}", flush=True)
    DOCUMENT.write_text(render(json.loads(INPUTS.read_text())))
    print(f"capacity: written to {DOCUMENT.relative_to(PROJECT_DIR)}")


if __name__ == "__main__":
    main()
