"""CloudFront in front of API Gateway, so that read storms on public searches end at the edge, and
in front of the web pages' bucket, so that the API and the pages share one hostname.

Public, anonymous reads (availability searches, states and districts) are cached for as long as the
API's own `Cache-Control: public, max-age=N` says (N is TEEKA_AVAILABILITY_MAX_AGE /
TEEKA_METADATA_MAX_AGE), keyed only on what the route reads, normalised first (infra/edge.py);
CloudFront answers `If-None-Match` revalidations itself and compresses answers (gzip, Brotli).
Everything else passes through uncached with every viewer header, including `Authorization`, so one
hostname serves the whole API. The web pages (infra/web.py) come from a
private S3 bucket that only this distribution may read (origin access control).
"""
from __future__ import annotations

from typing import Any

# AWS-managed policies (fixed ids, documented by CloudFront).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"  # honours each object's Cache-Control
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
DISTRIBUTION_ARN = "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${ApiDistribution}"
LONGEST_CACHE_SECONDS = 3600  # the API's Cache-Control decides; this only caps it


def _pages(prefix: str) -> dict[str, Any]:
    """The pages' bucket, readable by the distribution alone."""
    return {
        "PagesBucket": {
            "Type": "AWS::S3::Bucket",
            "Properties": {  # named by CloudFormation: bucket names are global (the stack output says it)
                "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                   "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            },
        },
        "PagesAccessControl": {
            "Type": "AWS::CloudFront::OriginAccessControl",
            "Properties": {"OriginAccessControlConfig": {
                "Name": f"{prefix}-pages", "OriginAccessControlOriginType": "s3",
                "SigningBehavior": "always", "SigningProtocol": "sigv4"}},
        },
        "PagesBucketPolicy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": {"Ref": "PagesBucket"}, "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "OnlyTheDistributionReads", "Effect": "Allow",
                    "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
                    "Resource": {"Fn::Sub": "${PagesBucket.Arn}/*"},
                    "Condition": {"StringEquals": {"AWS:SourceArn": {"Fn::Sub": DISTRIBUTION_ARN}}},
                }]}},
        },
    }


def cloudformation_resources(prefix: str, api_stage: str) -> dict[str, Any]:
    from chalicelib.config import get_settings
    from infra import edge, routes, web

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
        "FunctionAssociations": [{"EventType": "viewer-request",
                                  "FunctionARN": {"Fn::GetAtt": ["PublicReadKeys", "FunctionARN"]}}],
    } for path in routes.PUBLIC_READ_PATHS]
    pages_origin = {"Id": "pages", "DomainName": {"Fn::GetAtt": ["PagesBucket", "RegionalDomainName"]},
                    "S3OriginConfig": {"OriginAccessIdentity": ""},
                    "OriginAccessControlId": {"Fn::GetAtt": ["PagesAccessControl", "Id"]}}
    pages = [{
        "PathPattern": path, "TargetOriginId": "pages", "ViewerProtocolPolicy": "redirect-to-https",
        "AllowedMethods": ["GET", "HEAD"], "CachedMethods": ["GET", "HEAD"], "Compress": True,
        "CachePolicyId": CACHING_OPTIMIZED,
    } for path in web.PATH_PATTERNS]
    return {
        **_pages(prefix),
        "PublicReadKeys": {
            "Type": "AWS::CloudFront::Function",
            "Properties": {"Name": f"{prefix}-public-read-keys", "AutoPublish": True,
                           "FunctionCode": edge.normaliser_code(get_settings().country.languages),
                           "FunctionConfig": {"Comment": "Public reads: only what the route reads, normalised",
                                              "Runtime": "cloudfront-js-2.0"}},
        },
        "PublicReadCachePolicy": {
            "Type": "AWS::CloudFront::CachePolicy",
            "Properties": {"CachePolicyConfig": {
                "Name": f"{prefix}-public-reads",
                "Comment": "Honour the API's Cache-Control; key on what the routes read, normalised",
                "MinTTL": 0, "DefaultTTL": 0, "MaxTTL": LONGEST_CACHE_SECONDS,
                "ParametersInCacheKeyAndForwardedToOrigin": {
                    "EnableAcceptEncodingGzip": True, "EnableAcceptEncodingBrotli": True,
                    # "all" of what reaches the cache: the viewer-request function has already kept only
                    # the route's own parameters (a whitelist would be their union, and CloudFront allows 10).
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
                "WebACLId": {"Fn::If": ["HasEdgeWebAcl", {"Ref": "EdgeWebAclArn"}, {"Ref": "AWS::NoValue"}]},
                "Comment": f"{prefix}: cached public reads in front of API Gateway, and the web pages",
                "HttpVersion": "http2and3",
                "PriceClass": "PriceClass_200",  # includes edge locations in India
                "Origins": [origin, pages_origin],
                "DefaultCacheBehavior": {
                    "TargetOriginId": "api", "ViewerProtocolPolicy": "redirect-to-https",
                    "AllowedMethods": ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
                    "CachedMethods": ["GET", "HEAD"],
                    "CachePolicyId": CACHING_DISABLED,
                    "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST_HEADER,
                },
                "CacheBehaviors": public_reads + pages,
            }},
        },
    }


def parameters() -> dict[str, Any]:
    return {"EdgeWebAclArn": {
        "Type": "String", "Default": "",
        "Description": "The web ACL of the edge stack (edge.json, deployed in us-east-1); empty: none"}}


def conditions() -> dict[str, Any]:
    return {"HasEdgeWebAcl": {"Fn::Not": [{"Fn::Equals": [{"Ref": "EdgeWebAclArn"}, ""]}]}}


def outputs() -> dict[str, Any]:
    return {"CdnDomainName": {"Description": "Public hostname of the API and the web pages, cached at the edge",
                              "Value": {"Fn::GetAtt": ["ApiDistribution", "DomainName"]}},
            "PagesBucketName": {"Description": "Where `python -m infra.web --bucket` publishes the web pages",
                                "Value": {"Ref": "PagesBucket"}}}
