"""schemathesis against the running stack's ``/openapi.json`` (issue 11): every operation,
as an admin, a staff member and a customer of one org, with generated valid and invalid
input, a fixed seed (``derandomize``) and a bounded budget. No answer may be a 5xx, and
every answer must match the response schema the spec documents for its status.

Budget: ``CARNET_FUZZ_EXAMPLES`` examples per operation, role and mode (default 3: about
2,500 requests, a couple of minutes on a 2-core machine). It runs on both databases: the
inputs that broke only PostgreSQL (NUL bytes, 64-bit integers) are what it is for.
The figures are printed (``-s``) and kept in the assertion message."""
import os
from collections import Counter

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api.test_sales_cart import Shop

EXAMPLES = int(os.environ.get("CARNET_FUZZ_EXAMPLES", "3"))
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@pytest.fixture(scope="module")
def roles(new_org, api):
    shop = Shop(new_org(name="Fuzz", timezone="America/Montreal"), api)
    _, customer = shop.customer()
    return shop.org.id, {"admin": shop.admin.token, "staff": shop.staff.token,
                         "customer": customer.token}


def fuzz_operation(operation, base_url, session, org_id, token, mode, figures):
    path_parameters = {"org": org_id} if "{org}" in operation.path else None
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters,
                                     headers={"Authorization": f"Bearer {token}"})

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
              print_blob=False)
    @given(case=strategy)
    def run(case):
        try:
            response = case.call(base_url=base_url, session=session, timeout=60)
        except requests.RequestException as error:
            figures["errors"].append(f"{operation.label}: {type(error).__name__}")
            return
        figures["cases"] += 1
        figures["statuses"][response.status_code] += 1
        if response.status_code >= 500:
            figures["5xx"].append(f"{operation.label} -> {response.status_code}: "
                                  f"{response.text[:200]}")
            return
        try:
            case.validate_response(response, checks=[response_schema_conformance])
        except Exception as failure:  # schemathesis raises a FailureGroup per case
            figures["violations"].append(f"{operation.label} -> {response.status_code}: "
                                         f"{str(failure)[:300]}")

    run()


def test_no_server_error_and_no_schema_violation_for_generated_requests(stack, roles):
    org_id, tokens = roles
    schema = schemathesis.openapi.from_url(stack.url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    figures = {"cases": 0, "statuses": Counter(), "5xx": [], "violations": [], "errors": []}
    session = requests.Session()
    for operation in operations:
        for role, token in tokens.items():
            for mode in MODES:
                fuzz_operation(operation, stack.url, session, org_id, token, mode, figures)
    summary = (f"schemathesis: {len(operations)} operations x {len(tokens)} roles x "
               f"{len(MODES)} modes, {figures['cases']} cases, {len(figures['5xx'])} 5xx, "
               f"{len(figures['violations'])} response-schema violations, "
               f"statuses {dict(sorted(figures['statuses'].items()))}")
    print("\n" + summary)
    assert not figures["5xx"] and not figures["violations"] and not figures["errors"], \
        summary + "\n" + "\n".join(figures["5xx"][:30] + figures["violations"][:30]
                                   + figures["errors"][:10])
