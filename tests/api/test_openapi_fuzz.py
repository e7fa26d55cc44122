"""Schemathesis against our OpenAPI document: no input, however odd, makes the server fail.

Every operation of /api/v1 is called with data generated from the schema, on a
database holding demo records; any 5xx response fails the test, naming the call.
"""

from tests.fuzzing import server_errors


def test_no_server_errors_on_generated_requests(sqlite_app):
    operations, failures = server_errors(sqlite_app)
    assert operations > 30
    assert failures == []
