"""The OpenAPI document at /api/v1/openapi.json, fetched from the live demo server and checked with
openapi-spec-validator (OpenAPI 3.1), plus the API's request ids and rate-limit headers seen from outside."""
import json
import re
import subprocess
import urllib.error
import urllib.request
import uuid

from jsonschema import Draft202012Validator
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


def _secret_key(portal):
    out = subprocess.run([portal["binary"], "program", "keys", "--slug", "acme", "--create", "--data", portal["data"]],
                         capture_output=True, text=True, check=True).stdout
    return re.search(r"(sk_\S+)", out).group(1)


def _own_program(portal):
    """A program of this test's own (hold 0 days), so its partners, payouts and keys change nothing the other
    tests look at in the demo program."""
    out = subprocess.run([portal["binary"], "program", "create", "--name", "OpenAPI Check", "--slug", "oas-" + uuid.uuid4().hex[:8],
                          "--currency", "USD", "--hold-days", "0", "--json", "--data", portal["data"]],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["secret_key"]


def _call(portal, key, method, path, body=None):
    headers = {"Authorization": "Bearer " + key}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    request = urllib.request.Request(portal["base"] + "/api/v1" + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_live_answers_match_the_documented_schemas(portal):
    """Real answers from the demo data, each checked against the schema the document gives for its route and
    status — so the document is not only valid but true."""
    _, _, raw = _get(portal["base"] + "/api/v1/openapi.json")
    document = json.loads(raw)
    secret = _secret_key(portal)

    def check(key, method, template, path, body=None, expected=200):
        status, headers, payload = _call(portal, key, method, path, body)
        assert status == expected, (path, status, payload[:300])
        assert headers["X-Request-Id"]
        response = document["paths"][template][method.lower()]["responses"][str(status)]
        if status == 204:
            assert "content" not in response and payload == b""
            return None
        content_type = headers["Content-Type"].split(";")[0]
        schema = response["content"][content_type]["schema"]
        if content_type == "text/csv":
            return payload.decode()
        instance = json.loads(payload)
        Draft202012Validator({"components": document["components"], **schema}).validate(instance)
        return instance

    partners = check(secret, "GET", "/partners", "/partners?limit=3")
    assert partners["data"], "the demo program has partners"
    check(secret, "GET", "/partners/{id}", "/partners/%d" % partners["data"][0]["id"])
    check(secret, "GET", "/partners/{id}/balance", "/partners/%d/balance" % partners["data"][0]["id"])
    check(secret, "GET", "/partners/{id}/reports", "/partners/%d/reports?granularity=week" % partners["data"][0]["id"])
    check(secret, "GET", "/commissions", "/commissions?limit=5")
    payouts = check(secret, "GET", "/payouts", "/payouts?limit=5")
    if payouts["data"]:
        check(secret, "GET", "/payouts/{id}", "/payouts/%d" % payouts["data"][0]["id"])
    check(secret, "GET", "/partners/{id}", "/partners/999999", expected=404)
    check(secret, "POST", "/conversions", "/conversions", {"type": "sale"}, expected=422)

    # Everything that writes happens in a program of the test's own.
    secret = _own_program(portal)
    created = check(secret, "POST", "/partners", "/partners",
                    {"email": "openapi-%s@example.com" % uuid.uuid4().hex[:8], "name": "OpenAPI Check", "status": "approved"},
                    expected=201)
    partner_id = created["id"]
    created = check(secret, "POST", "/partners/{id}/keys", f"/partners/{partner_id}/keys",
                    {"scopes": ["reports:read", "links:write"]}, expected=201)
    partner_key = created["key"]
    check(partner_key, "GET", "/me", "/me")
    check(partner_key, "GET", "/me/links", "/me/links")
    check(partner_key, "POST", "/me/links", "/me/links", {"destination_url": "https://shop.example/openapi", "campaign": "openapi"}, expected=201)
    check(partner_key, "GET", "/me/commissions", "/me/commissions")
    check(partner_key, "GET", "/me/payouts", "/me/payouts")
    check(partner_key, "GET", "/me/reports", "/me/reports?granularity=month")
    check(partner_key, "GET", "/partners", "/partners", expected=403)

    # Writes with a secret key: each answer against its documented schema.
    check(secret, "PATCH", "/partners/{id}", f"/partners/{partner_id}",
          {"company": "Schema Co", "payout": {"method": "paypal", "paypal_email": "schema@example.com"}})
    check(secret, "POST", "/partners/{id}/coupons", f"/partners/{partner_id}/coupons",
          {"code": "OAS" + uuid.uuid4().hex[:6].upper()}, expected=201)
    check(secret, "POST", "/partners/{id}/links", f"/partners/{partner_id}/links",
          {"destination_url": "https://shop.example/x"}, expected=201)
    order = {"external_id": "oas-" + uuid.uuid4().hex[:10], "type": "sale", "amount": 25000, "currency": "USD",
             "partner_id": partner_id}
    conversion = check(secret, "POST", "/conversions", "/conversions", order, expected=201)
    assert conversion["commissions"], conversion
    check(secret, "POST", "/conversions", "/conversions", order, expected=200)
    check(secret, "POST", "/conversions", "/conversions", {**order, "amount": 1}, expected=409)
    check(secret, "POST", "/conversions/{external_id}/refunds", "/conversions/%s/refunds" % order["external_id"],
          {"amount": 5000}, expected=201)
    check(secret, "GET", "/partners/{id}/balance", f"/partners/{partner_id}/balance")
    check(secret, "POST", "/partners/{id}/adjustments", f"/partners/{partner_id}/adjustments",
          {"amount": 100000, "reason": "OpenAPI check"}, expected=201)
    check(secret, "POST", "/payouts/batches", "/payouts/batches", {}, expected=201)
    mine = check(secret, "GET", "/payouts", "/payouts?status=pending&limit=500")
    payout = next((p for p in mine["data"] if p["partner_id"] == partner_id), None)
    assert payout is not None, "the adjustment makes the partner due a payout"
    check(secret, "GET", "/payouts/{id}", "/payouts/%d" % payout["id"])
    check(secret, "GET", "/payouts/{id}/statement.csv", "/payouts/%d/statement.csv" % payout["id"])
    check(secret, "GET", "/payouts/export.csv", "/payouts/export.csv?status=pending")
    check(secret, "GET", "/payouts/export.paypal.csv", "/payouts/export.paypal.csv?status=pending")
    check(secret, "POST", "/payouts/{id}/mark-paid", "/payouts/%d/mark-paid" % payout["id"], {"reference": "OAS-1"})
    # A paid payout that bounced can still be marked failed.
    check(secret, "POST", "/payouts/{id}/mark-failed", "/payouts/%d/mark-failed" % payout["id"], {"reason": "bounced"})
    check(secret, "POST", "/payouts/{id}/mark-paid", "/payouts/%d/mark-paid" % payout["id"], {}, expected=422)
    check(secret, "POST", "/partners/{id}/suspend", f"/partners/{partner_id}/suspend", {"reason": "OpenAPI check"})
    check(secret, "POST", "/partners/{id}/approve", f"/partners/{partner_id}/approve")
    keys = check(secret, "GET", "/partners/{id}/keys", f"/partners/{partner_id}/keys")
    check(secret, "DELETE", "/partners/{id}/keys/{key_id}", "/partners/%d/keys/%d" % (partner_id, keys["data"][0]["id"]),
          expected=204)
