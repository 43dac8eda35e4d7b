"""The console's JSON API documents its bodies and answers: in local mode /openapi.json
names an input model for every POST body and an output model for every 2xx answer."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import InProcessApp

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def schema(live_server: InProcessApp) -> dict[str, Any]:
    with live_server.client() as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _ref(schema: dict[str, Any]) -> str | None:
    """The component a content schema names: directly, or as the items of a list."""
    if "$ref" in schema:
        return str(schema["$ref"])
    if schema.get("type") == "array" and "$ref" in schema.get("items", {}):
        return str(schema["items"]["$ref"])
    return None


def _operations(schema: dict[str, Any], prefix: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        if path.startswith(prefix)
        for method, operation in item.items()
        if method in METHODS
    ]


def _untyped_answers(schema: dict[str, Any], prefix: str) -> list[str]:
    untyped = []
    for path, method, operation in _operations(schema, prefix):
        typed = False
        for code, answer in operation.get("responses", {}).items():
            if not code.startswith("2"):
                continue
            for media, content in answer.get("content", {}).items():
                if (
                    media == "application/json"
                    and _ref(content.get("schema", {}))
                    or media != "application/json"
                ):
                    typed = True
        if not typed:
            untyped.append(f"{method.upper()} {path}")
    return untyped


def test_every_console_api_answer_names_its_model(schema: dict[str, Any]) -> None:
    assert _operations(schema, "/admin/api/")
    assert _untyped_answers(schema, "/admin/api/") == []


def test_every_open311_answer_names_its_model(schema: dict[str, Any]) -> None:
    assert _untyped_answers(schema, "/open311/") == []


def test_every_json_body_names_its_model(schema: dict[str, Any]) -> None:
    untyped = []
    for path, method, operation in _operations(schema, "/admin/api/"):
        body = operation.get("requestBody")
        if body is None:
            continue
        for media, content in body["content"].items():
            if _ref(content.get("schema", {})) is None:
                untyped.append(f"{method.upper()} {path} {media}")
    assert untyped == []


def _fields(schema: dict[str, Any], name: str) -> dict[str, Any]:
    components = schema["components"]["schemas"]
    assert name in components, sorted(components)
    return dict(components[name]["properties"])


def test_the_main_models_are_documented(schema: dict[str, Any]) -> None:
    ticket = _fields(schema, "RequestPublic")
    assert {"code", "status", "status_label", "due_at", "resolved_at"} <= set(ticket)
    detail = _fields(schema, "RequestDetail")
    assert {"code", "status", "history", "photos", "reporter"} <= set(detail)
    assert "items" in _fields(schema, "RequestList")
    assert {"reason"} <= set(_fields(schema, "ReasonIn"))
    assert {"username", "role", "csrf_token"} <= set(_fields(schema, "MePublic"))
    assert {"service_request_id", "status"} <= set(_fields(schema, "Open311Request"))


def test_the_figures_api_is_documented_and_the_pages_are_not(schema: dict[str, Any]) -> None:
    answer = schema["paths"]["/admin/api/figures"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/DashboardFigures")
    assert "/admin/figures" not in schema["paths"]
    assert "/admin/exports" not in schema["paths"]


def test_a_list_route_answers_with_a_list_of_models(schema: dict[str, Any]) -> None:
    answer = schema["paths"]["/admin/api/handovers"]["get"]["responses"]["200"]
    content = answer["content"]["application/json"]["schema"]
    assert content["type"] == "array"
    assert content["items"]["$ref"].endswith("/HandoverPublic")
