"""Public reports: CoWIN's dashboard API, open data as CSV, and the web pages' texts. All public and
CDN-cacheable (a short max-age and an ETag): a storm of readers ends at the edge."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.http import ApiRequest, cacheable_response, endpoint

# Use cases are imported inside the routes that call them, not here: a cold start then loads only what its
# first request needs (docs/architecture.md, "Cold start").
bp = Blueprint(__name__)


@endpoint(bp, "/v1/reports/v2/getPublicReports")
def public_reports(request: ApiRequest):
    from chalicelib.services import stats

    body = stats.public_report(request.query, request.profile, request.now, request.language)
    return cacheable_response(request, body, request.settings.reports_max_age_seconds)


@endpoint(bp, "/v1/reports/v2/openData.csv")
def open_data(request: ApiRequest):
    from chalicelib.services import stats

    return cacheable_response(request, stats.open_data(request.query, request.profile, request.now),
                              request.settings.reports_max_age_seconds, "text/csv; charset=utf-8")


@endpoint(bp, "/v2/web/texts")
def web_texts(request: ApiRequest):
    from chalicelib.services import metadata

    asked = request.query.get("lang") or request.language
    return cacheable_response(request, metadata.web_texts(request.profile, asked),
                              request.settings.metadata_max_age_seconds)
