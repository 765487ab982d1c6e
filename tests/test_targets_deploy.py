"""The proxy as every deployment target runs it: where its own health checks connect."""

from __future__ import annotations

import pytest

from datumc.targets.deploy import Proxy


@pytest.mark.parametrize(("host", "url"), [
    ("0.0.0.0", "http://127.0.0.1:4000"),      # a wildcard bind is probed on loopback
    ("::", "http://[::1]:4000"),
    ("127.0.0.1", "http://127.0.0.1:4000"),
    ("::1", "http://[::1]:4000"),                # an IPv6 address gets its brackets
    ("fd00::5", "http://[fd00::5]:4000"),
    ("proxy.internal", "http://proxy.internal:4000"),
])
def test_health_checks_connect_where_the_proxy_listens(host: str, url: str) -> None:
    proxy = Proxy(name="litellm", image="ghcr.io/berriai/litellm:main", host=host,
                  port=4000, workers=1)
    assert proxy.local_url == url
    assert f"{url}/health/liveliness" in proxy.probe()
