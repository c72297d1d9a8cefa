"""schemathesis against the running stack's ``/openapi.json`` (issue 11): every operation,
as an admin, a staff member and a customer of one org, with generated valid (positive)
and invalid (negative) input, a fixed seed (``derandomize``) and a bounded budget. No
answer may be a 5xx, and every answer must match the response schema the spec documents
for its status.

Budget: per operation, ``CARNET_FUZZ_EXAMPLES`` (default 3) positive and as many negative
cases are generated once, and each is sent as each of the three roles: about 1,500
requests. Generating invalid input is the slow part (a second or two per operation on a
busy 2-core machine), hence once per operation, not per role.

It runs on PostgreSQL only (``CARNET_FUZZ_BACKENDS=sqlite,postgresql`` for both): what the
contracts accept is the same on both databases, and PostgreSQL is the stricter store (it
refuses NUL bytes, out-of-range integers and over-long strings that SQLite keeps), so it
is where bad input that slips through shows as a 500. The figures are printed (``-s``)
and repeated in the assertion message."""
import os
from collections import Counter

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api.test_sales_cart import Shop
from tests.conftest import BACKEND

EXAMPLES = int(os.environ.get("CARNET_FUZZ_EXAMPLES", "3"))
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)

pytestmark = pytest.mark.skipif(
    BACKEND not in os.environ.get("CARNET_FUZZ_BACKENDS", "postgresql").split(","),
    reason="the OpenAPI fuzz runs on PostgreSQL (CARNET_FUZZ_BACKENDS)")


@pytest.fixture(scope="module")
def roles(new_org, api):
    shop = Shop(new_org(name="Fuzz", timezone="America/Montreal"), api)
    _, customer = shop.customer()
    return shop.org.id, {"admin": shop.admin.token, "staff": shop.staff.token,
                         "customer": customer.token}


def generated_cases(operation, org_id, mode):
    """``EXAMPLES`` cases of ``mode`` for the operation (fixed seed), the org in its path."""
    path_parameters = {"org": org_id} if "{org}" in operation.path else None
    cases = []

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
              print_blob=False)
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def collect(case):
        cases.append(case)

    try:
        collect()
    except Unsatisfiable:  # nothing to make invalid (an operation without input)
        pass
    return cases


def send(case, base_url, session, token, figures):
    label = case.operation.label
    try:
        response = case.call(base_url=base_url, session=session, timeout=60,
                             headers={"Authorization": f"Bearer {token}"})
    except requests.RequestException as error:
        figures["errors"].append(f"{label}: {type(error).__name__}: {error}")
        return
    figures["cases"] += 1
    figures["statuses"][response.status_code] += 1
    if response.status_code >= 500:
        figures["5xx"].append(f"{label} -> {response.status_code}: {response.text[:200]}")
        return
    try:
        case.validate_response(response, checks=[response_schema_conformance])
    except Exception as failure:  # schemathesis raises a FailureGroup per case
        figures["violations"].append(f"{label} -> {response.status_code}: "
                                     f"{str(failure)[:400]}")


def test_no_server_error_and_no_schema_violation_for_generated_requests(stack, roles):
    org_id, tokens = roles
    schema = schemathesis.openapi.from_url(stack.url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    figures = {"cases": 0, "statuses": Counter(), "5xx": [], "violations": [], "errors": []}
    session = requests.Session()
    for operation in operations:
        for mode in MODES:
            for case in generated_cases(operation, org_id, mode):
                for token in tokens.values():
                    send(case, stack.url, session, token, figures)
    summary = (f"schemathesis: {len(operations)} operations, {len(tokens)} roles, "
               f"{figures['cases']} requests, {len(figures['5xx'])} 5xx, "
               f"{len(figures['violations'])} response-schema violations, "
               f"statuses {dict(sorted(figures['statuses'].items()))}")
    print("\n" + summary)
    assert not figures["5xx"] and not figures["violations"] and not figures["errors"], \
        summary + "\n" + "\n".join(figures["5xx"][:30] + figures["violations"][:30]
                                   + figures["errors"][:10])
