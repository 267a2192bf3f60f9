"""CloudFront in front of API Gateway, so that read storms on public searches end at the edge.

Public, anonymous reads (availability searches, states and districts) are cached by the full query
string and `Accept-Language`, for as long as the API's own `Cache-Control: public, max-age=N` says
(N is TEEKA_AVAILABILITY_MAX_AGE / TEEKA_METADATA_MAX_AGE); CloudFront answers `If-None-Match`
revalidations itself. Everything else passes through uncached with every viewer header, including
`Authorization`, so one hostname serves the whole API.
"""
from __future__ import annotations

from typing import Any

# The paths whose answers are the same for everyone who asks the same question.
PUBLIC_READ_PATHS = (
    "/v2/appointment/sessions/public/*",
    "/v2/appointment/centers/public/*",
    "/v2/admin/location/*",
    "/.well-known/*",  # the certificate signing keys
    "/v2/certificate/revoked",
)
# AWS-managed policies (fixed ids, documented by CloudFront).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
LONGEST_CACHE_SECONDS = 3600  # the API's Cache-Control decides; this only caps it


def cloudformation_resources(prefix: str, api_stage: str) -> dict[str, Any]:
    origin = {
        "Id": "api",
        "DomainName": {"Fn::Sub": "${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"},
        "OriginPath": f"/{api_stage}",
        "CustomOriginConfig": {"OriginProtocolPolicy": "https-only", "OriginSSLProtocols": ["TLSv1.2"]},
    }
    public_reads = [{
        "PathPattern": path, "TargetOriginId": "api", "ViewerProtocolPolicy": "redirect-to-https",
        "AllowedMethods": ["GET", "HEAD", "OPTIONS"], "CachedMethods": ["GET", "HEAD"], "Compress": True,
        "CachePolicyId": {"Ref": "PublicReadCachePolicy"},
    } for path in PUBLIC_READ_PATHS]
    return {
        "PublicReadCachePolicy": {
            "Type": "AWS::CloudFront::CachePolicy",
            "Properties": {"CachePolicyConfig": {
                "Name": f"{prefix}-public-reads",
                "Comment": "Honour the API's Cache-Control; key on the query and the language",
                "MinTTL": 0, "DefaultTTL": 0, "MaxTTL": LONGEST_CACHE_SECONDS,
                "ParametersInCacheKeyAndForwardedToOrigin": {
                    "EnableAcceptEncodingGzip": True, "EnableAcceptEncodingBrotli": True,
                    "QueryStringsConfig": {"QueryStringBehavior": "all"},
                    "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": ["Accept-Language"]},
                    "CookiesConfig": {"CookieBehavior": "none"},
                },
            }},
        },
        "ApiDistribution": {
            "Type": "AWS::CloudFront::Distribution",
            "Properties": {"DistributionConfig": {
                "Enabled": True,
                "Comment": f"{prefix}: cached public reads in front of API Gateway",
                "HttpVersion": "http2and3",
                "PriceClass": "PriceClass_200",  # includes edge locations in India
                "Origins": [origin],
                "DefaultCacheBehavior": {
                    "TargetOriginId": "api", "ViewerProtocolPolicy": "redirect-to-https",
                    "AllowedMethods": ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
                    "CachedMethods": ["GET", "HEAD"],
                    "CachePolicyId": CACHING_DISABLED,
                    "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST_HEADER,
                },
                "CacheBehaviors": public_reads,
            }},
        },
    }


def outputs() -> dict[str, Any]:
    return {"CdnDomainName": {"Description": "Public hostname of the API, cached at the edge",
                              "Value": {"Fn::GetAtt": ["ApiDistribution", "DomainName"]}}}
