"""The OpenAPI document at /api/v1/openapi.json, fetched from the live demo server and checked with
openapi-spec-validator (OpenAPI 3.1), plus the API's request ids and rate-limit headers seen from outside."""
import json
import urllib.error
import urllib.request

from openapi_spec_validator import validate


def _get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_openapi_document_is_valid_openapi_31(portal):
    status, headers, body = _get(portal["base"] + "/api/v1/openapi.json")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert headers["X-Request-Id"]
    document = json.loads(body)
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on any schema error or unresolved $ref
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path in ("/partners", "/conversions", "/payouts/{id}/mark-paid", "/me/reports"):
        assert path in document["paths"], path


def test_api_errors_are_problem_json_with_the_request_id(portal):
    status, headers, body = _get(portal["base"] + "/api/v1/partners")
    assert status == 401
    assert headers["Content-Type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == 401
    assert problem["request_id"] == headers["X-Request-Id"]
