"""The edge: what CloudFront does to a public read before its cache looks, and the web ACL in front of it.

**Cache keys.** A viewer-request CloudFront Function rewrites every public read to the request the API
would answer the same way: only the query parameters that route reads (from docs/openapi.yaml), each
once (its last value, as Chalice reads it), in one order; `Accept-Language` reduced to the one pack
language the API would choose (the same rule as `CountryProfile.matching_language`), or removed when
the API would answer in the pack's own language. A random extra parameter, a reordering or a random
language therefore hit the same cached answer instead of the origin. tests/infra run this code in
Node and check, route by route, that the API answers the rewritten request exactly as the original.

**Web ACL** (`edge.json`, its own stack: CloudFront's web ACLs must live in us-east-1): per-address
rate limits on OTP routes and on public reads (generous, as one mobile carrier's NAT hides thousands
of phones behind one address), and AWS's list of addresses known for abuse. A blocked request gets a
429 with the API's JSON error.
"""
from __future__ import annotations

import json
import re
from typing import Any

FIVE_MINUTES = 300
# Requests per address per five minutes before WAF answers 429 for a while.
OTP_PER_ADDRESS = 300
PUBLIC_READS_PER_ADDRESS = 6_000
TOO_MANY = json.dumps({"errorCode": "USRRES0429", "error": "Too many requests, please wait and try again"})


def _route_pattern(template: str) -> str:
    return "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"


def normaliser_code(languages: tuple[str, ...]) -> str:
    """The CloudFront Function (cloudfront-js-2.0) for the public reads of a pack with `languages`."""
    from infra.routes import read_parameters

    routes = [[_route_pattern(template), names] for template, names in sorted(read_parameters().items())]
    return (NORMALISER.replace("__ROUTES__", json.dumps(routes))
            .replace("__LANGUAGES__", json.dumps(list(languages))))


NORMALISER = """\
var ROUTES = __ROUTES__.map(function (r) { return [new RegExp(r[0]), r[1]]; });
var LANGUAGES = __LANGUAGES__;

function readParameters(uri) {
    for (var i = 0; i < ROUTES.length; i++) {
        if (ROUTES[i][0].test(uri)) { return ROUTES[i][1]; }
    }
    return [];
}

// CountryProfile.matching_language: the first tag naming a pack language, exactly or by its base.
function language(header) {
    var tags = header.split(",");
    for (var i = 0; i < tags.length; i++) {
        var asked = tags[i].split(";")[0].trim().replace(/-/g, "_").toLowerCase();
        if (!asked) { continue; }
        var same = null;
        for (var j = 0; j < LANGUAGES.length; j++) {
            if (LANGUAGES[j].toLowerCase() === asked) { return LANGUAGES[j]; }
            var base = LANGUAGES[j].split("_")[0].toLowerCase();
            if (same === null && base === asked.split("_")[0]) { same = LANGUAGES[j]; }
        }
        if (same !== null) { return same; }
    }
    return null;
}

function handler(event) {
    var request = event.request;
    var query = {};
    readParameters(request.uri).forEach(function (name) {
        var given = request.querystring[name];
        if (given) {
            var values = given.multiValue || [given];
            query[name] = { value: values[values.length - 1].value };
        }
    });
    request.querystring = query;
    var header = request.headers["accept-language"];
    var chosen = header ? language(header.value) : null;
    if (chosen === null || chosen === LANGUAGES[0]) {
        delete request.headers["accept-language"];
    } else {
        request.headers["accept-language"] = { value: chosen };
    }
    return request;
}
"""


def _rate_rule(name: str, priority: int, limit: int, paths: list[str]) -> dict[str, Any]:
    matches = [{"ByteMatchStatement": {
        "FieldToMatch": {"UriPath": {}}, "PositionalConstraint": "STARTS_WITH", "SearchString": path,
        "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}} for path in paths]
    scope = matches[0] if len(matches) == 1 else {"OrStatement": {"Statements": matches}}
    return {
        "Name": name, "Priority": priority,
        "Statement": {"RateBasedStatement": {"Limit": limit, "EvaluationWindowSec": FIVE_MINUTES,
                                             "AggregateKeyType": "IP", "ScopeDownStatement": scope}},
        "Action": {"Block": {"CustomResponse": {"ResponseCode": 429, "CustomResponseBodyKey": "TooMany"}}},
        "VisibilityConfig": {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name},
    }


def web_acl(prefix: str) -> dict[str, Any]:
    from infra.routes import PUBLIC_READ_PATHS, otp_paths

    public = sorted({pattern.rstrip("*") for pattern in PUBLIC_READ_PATHS})
    return {
        "Type": "AWS::WAFv2::WebACL",
        "Properties": {
            "Name": f"{prefix}-edge", "Scope": "CLOUDFRONT", "DefaultAction": {"Allow": {}},
            "CustomResponseBodies": {"TooMany": {"ContentType": "APPLICATION_JSON", "Content": TOO_MANY}},
            "Rules": [
                {"Name": "KnownBadAddresses", "Priority": 0,
                 "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS",
                                                             "Name": "AWSManagedRulesAmazonIpReputationList"}},
                 "OverrideAction": {"None": {}},
                 "VisibilityConfig": {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True,
                                      "MetricName": "KnownBadAddresses"}},
                _rate_rule("OtpPerAddress", 1, OTP_PER_ADDRESS, sorted({path for path, _ in otp_paths()})),
                _rate_rule("PublicReadsPerAddress", 2, PUBLIC_READS_PER_ADDRESS, public),
            ],
            "VisibilityConfig": {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True,
                                 "MetricName": f"{prefix}-edge"},
        },
    }


def template() -> dict[str, Any]:
    """The us-east-1 stack: its output is the main stack's `EdgeWebAclArn` parameter."""
    from chalicelib.config import get_settings

    prefix = get_settings().resource_prefix
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"{prefix}: the CDN's web ACL (deploy in us-east-1)",
        "Resources": {"EdgeWebAcl": web_acl(prefix)},
        "Outputs": {"EdgeWebAclArn": {"Description": "Pass to the main stack as EdgeWebAclArn",
                                      "Value": {"Fn::GetAtt": ["EdgeWebAcl", "Arn"]}}},
    }
