"""`serve` warns about plain HTTP beyond loopback (and names the remedy); release and
quarantine over the API need an admin-scoped token and leave an audit record."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_support import auth

from conftest_pg import result_document
from gpuatlas.cli.main import app as cli_app
from gpuatlas.store import Store
from gpuatlas.web.server import transport_warning


def test_plain_http_beyond_loopback_gets_a_warning_with_the_remedy() -> None:
    for host in ("127.0.0.1", "localhost", "::1"):
        assert transport_warning(host, tls=False) is None
    warning = transport_warning("0.0.0.0", tls=False)
    assert warning is not None
    assert "--ssl-certfile" in warning and "reverse proxy" in warning
    assert transport_warning("0.0.0.0", tls=True) is None


def test_serve_refuses_half_a_tls_configuration() -> None:
    result = CliRunner().invoke(
        cli_app, ["serve", "--host", "0.0.0.0", "--ssl-certfile", "cert.pem"]
    )
    assert result.exit_code == 2 and "--ssl-keyfile" in result.output


def test_release_over_the_api_needs_an_admin_token_and_is_audited(
    client: TestClient, store: Store, token: str
) -> None:
    impossible = result_document(headline_value=5000.0)
    reply = client.post("/api/v1/results", json=impossible, headers=auth(token)).json()
    assert reply["quarantined"]
    path = f"/api/v1/admin/results/{impossible['result_id']}/release"
    assert client.post(path, json={"reason": "checked"}).status_code == 401
    assert client.post(path, json={"reason": "checked"}, headers=auth(token)).status_code == 403
    admin = store.create_token("ops", scope="admin")
    released = client.post(path, json={"reason": "verified on site"}, headers=auth(admin))
    assert released.status_code == 200 and released.json()["by"] == "token:ops"
    document = store.get_document(impossible["result_id"])
    assert document is not None and not document["store"]["quarantined"]
    assert document["store"]["audit"][-1]["reason"] == "verified on site"
    missing = client.post(
        "/api/v1/admin/results/nope/release", json={"reason": "x"}, headers=auth(admin)
    )
    assert missing.status_code == 404
