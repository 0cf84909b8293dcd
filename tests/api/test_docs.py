"""The API documentation pages load nothing from another site: their scripts are packaged with the service."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import Api

ASSET = re.compile(r'(?:src|href)="([^"]+)"')


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_api_docs_load_their_assets_from_this_service(api: Api, path: str) -> None:
    r = api.client.get(path)
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assets = [a for a in ASSET.findall(r.text) if a.endswith((".js", ".css"))]
    assert assets, r.text
    assert "cdn" not in r.text.lower() and "https://" not in "".join(assets)
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//")
        assert api.client.get(asset).status_code == 200
