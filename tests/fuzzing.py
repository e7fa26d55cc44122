"""Schemathesis over our OpenAPI document: the calls that made the server fail."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from svidok.core.actors import SYSTEM
from svidok.server import create_app
from svidok.services import accounts, demo


def server_errors(app, path_prefix: str = "/api/v1", max_examples: int = 15) -> tuple[int, list[str]]:
    """Call every operation under ``path_prefix`` with generated data on a database holding demo
    records; returns how many operations were exercised and each call answered with a 5xx."""
    demo.load(app, size=50, seed=1)
    auth = {"Authorization": f"Bearer {accounts.create_token(app, SYSTEM, 'admin')}"}
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(app))
    operations = [r.ok() for r in schema.get_all_operations()]
    operations = [op for op in operations if op.path.startswith(path_prefix)]
    failures: list[str] = []
    for op in operations:

        @given(case=op.as_strategy())
        # derandomize: the same calls on every run, so CI is repeatable; raise max_examples to explore more
        @settings(max_examples=max_examples, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def call(case) -> None:
            response = case.call(headers=auth)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}")

        call()
    return len(operations), failures
