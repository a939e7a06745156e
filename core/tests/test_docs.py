import pytest

pytestmark = pytest.mark.django_db


def test_swagger_ui_is_served_from_our_own_static_files(client):
    response = client.get("/swagger/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


def test_redoc_is_served_from_our_own_static_files(client):
    response = client.get("/redoc/")

    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/redoc/" in response.content.decode()


def test_schema_declares_bearer_auth_and_every_operation_has_a_summary(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    schema = response.json()
    assert schema["components"]["securitySchemes"]["jwtAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert len(operations) >= 20
    assert all(op.get("summary") for op in operations)
    book = schema["paths"]["/shows/{id}/book/"]["post"]
    assert set(book["responses"]) == {
        "201",
        "400",
        "401",
        "402",
        "404",
        "409",
        "411",
        "413",
        "414",
        "415",
        "422",
        "429",
        "503",
    }
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in book["parameters"])


def test_root_redirects_to_swagger(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/swagger/"


def test_unknown_paths_are_404_json(client):
    response = client.get("/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
