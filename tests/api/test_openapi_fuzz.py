"""Schemathesis against our OpenAPI document: no input, however odd, makes the server fail.

Every operation of /api/v1 is called with data generated from the schema, on a
database holding demo records; any 5xx response fails the test, naming the call.
"""

from hypothesis import HealthCheck, given, settings
import schemathesis

from svidok.api.app import create_app
from svidok.services import accounts, demo
from svidok.services.actors import SYSTEM


def test_no_server_errors_on_generated_requests(sqlite_app):
    demo.load(sqlite_app, size=50, seed=1)
    auth = {"Authorization": f"Bearer {accounts.create_token(sqlite_app, SYSTEM, 'admin')}"}
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(sqlite_app))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    failures: list[str] = []
    for op in operations:

        @given(case=op.as_strategy())
        @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def call(case) -> None:  # noqa: ANN001
            response = case.call(headers=auth)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}")

        call()
    assert failures == []
