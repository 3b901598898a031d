"""The host's HTTP surface that needs no engine: health, site description, auth, JSON errors."""

import pytest

from cracktrader.host.app import create_app
from cracktrader.host.auth import require_token
from starlette.responses import JSONResponse
from starlette.routing import Route
from support.host_client import local_client


@pytest.fixture
def site(tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><title>x</title>")
    (tmp_path / "site.json").write_text('{"server": false, "datasets": [{"id": "demo"}]}')
    return tmp_path


def test_site_json_turns_server_features_on(site):
    client = local_client(create_app(site, token="t0k"))
    assert client.get("/site.json").json() == {"server": True, "datasets": [{"id": "demo"}]}
    assert client.get("/api/health").json()["status"] == "ok"
    assert client.get("/").status_code == 200


def test_unknown_api_paths_are_json_404(site):
    r = local_client(create_app(site, token="t0k")).get("/api/nope")
    assert r.status_code == 404 and r.json() == {"error": "no API endpoint /api/nope"}


def test_no_path_traversal_out_of_the_web_dir(site):
    (site.parent / "secret.txt").write_text("secret")
    client = local_client(create_app(site, token="t0k"))
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt"):
        r = client.get(path)
        assert r.status_code == 404 and "secret" not in r.text


def test_token_guard(site):
    async def ping(request):
        return JSONResponse({"pong": True})

    app = create_app(site, token="s3cret")
    app.router.routes.insert(0, Route("/api/ping", require_token(ping), methods=["POST"]))
    client = local_client(app)
    assert client.post("/api/ping").status_code == 401
    assert client.post("/api/ping", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.post("/api/ping", headers={"Authorization": "Bearer s3cret"}).json() == {"pong": True}
    assert local_client(create_app(site, token=None)).get("/api/health").status_code == 200


def test_foreign_host_headers_are_refused(site):
    """A page on another site rebinding its name to 127.0.0.1 gets nothing: by default only the
    loopback names are accepted (not even Starlette's test-client name)."""
    client = local_client(create_app(site, token="t0k"))
    for host in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000"):
        assert client.get("/api/health", headers={"host": host}).status_code == 200, host
    for host in ("evil.example:8000", "testserver"):
        assert client.get("/api/health", headers={"host": host}).status_code == 400, host


def test_allowed_hosts_replace_the_default(site):
    client = local_client(create_app(site, token="t0k", allowed_hosts=["box.lan"]))
    assert client.get("/api/health", headers={"host": "box.lan:8000"}).status_code == 200
    assert client.get("/api/health").status_code == 400


def test_versioned_files_are_cached_for_good_and_sent_compressed(site):
    import gzip

    wasm = b"\0asm" + bytes(4000)
    (site / "v" / "0123456789abcdef").mkdir(parents=True)
    (site / "v" / "0123456789abcdef" / "k.wasm").write_bytes(wasm)
    (site / "v" / "0123456789abcdef" / "k.wasm.gz").write_bytes(gzip.compress(wasm))
    (site / "app.js").write_text("export const x = 1;\n")
    client = local_client(create_app(site, token="t0k"))
    r = client.get("/v/0123456789abcdef/k.wasm", headers={"accept-encoding": "gzip"})
    assert r.status_code == 200 and r.content == wasm  # the client undid the gzip
    assert r.headers["content-encoding"] == "gzip" and r.headers["content-type"] == "application/wasm"
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert int(r.headers["content-length"]) < len(wasm) / 10
    plain = client.get("/v/0123456789abcdef/k.wasm", headers={"accept-encoding": "identity"})
    assert plain.content == wasm and "content-encoding" not in plain.headers
    page = client.get("/app.js")
    assert page.headers["cache-control"] == "no-cache" and page.headers["content-type"].startswith("text/javascript")
    again = client.get("/app.js", headers={"if-none-match": page.headers["etag"]})
    assert again.status_code == 304  # revalidated, not sent again
