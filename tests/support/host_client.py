"""A Starlette test client that speaks to the app as a local browser does: Host 127.0.0.1,
which the app's default allowed hosts accept (Starlette's own default, "testserver", is not one)."""

from starlette.testclient import TestClient


def local_client(app, **kwargs):
    return TestClient(app, base_url="http://127.0.0.1", **kwargs)
