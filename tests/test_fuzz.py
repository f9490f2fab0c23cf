"""schemathesis against the service's OpenAPI schema: a bounded number of generated requests per operation
finds no 500 and no response that breaks the schema (status codes, content types, bodies).

schemathesis's pytest plugin does not yet run under pytest 9, so the test drives its Python API: one
Hypothesis-generated strategy per operation, each case sent to the app in-process and validated."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from kmsearch.api import create_app
from kmsearch.ingest.pipeline import ingest

pytestmark = pytest.mark.slow
EXAMPLES = 25  # per operation; bounded so the suite stays fast


def test_api_conforms_to_its_schema(corpus, settings, embedder):
    ingest([corpus], settings, embedder)
    app = create_app(settings, embedder=embedder)
    secret = app.state.keys.add("fuzz", "reader")[1]
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers={"X-API-Key": secret})  # needs a key
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith("/api/v1/admin/reindex"):
            continue  # starts background jobs; covered by test_api

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def run(case) -> None:
            # the key in both declared schemes: schemathesis then also checks that each operation refuses the
            # request without it and with an invalid one (its ignored_auth check)
            case.call_and_validate(headers={"Authorization": f"Bearer {secret}", "X-API-Key": secret})

        run()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) >= 8, checked
