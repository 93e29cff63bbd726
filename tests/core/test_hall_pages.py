"""The hall of each tenant, through real HTTP on the ASGI app."""

from __future__ import annotations


def test_province_city_county_halls_show_name_breadcrumb_children(client):
    r = client.get("/t/360102/")
    assert r.status_code == 200
    assert "东湖区" in r.text
    # breadcrumb up to the province
    assert 'href="/t/360000/"' in r.text and 'href="/t/360100/"' in r.text
    # entrances and sections
    for label in ("个人办事", "法人办事", "行政审批", "公共服务", "阳光政务"):
        assert label in r.text
    city = client.get("/t/360100/")
    assert 'href="/t/360102/"' in city.text  # links down to its children


def test_unknown_tenant_is_a_chinese_404(client):
    r = client.get("/t/999999/")
    assert r.status_code == 404
    assert "页面不存在" in r.text


def test_healthz_checks_the_database(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_root_redirects_to_the_province(client):
    r = client.get("/")
    assert r.status_code == 302 and r.headers["location"].endswith("/t/360000/")


def test_english_switch_is_remembered(client):
    r = client.get("/t/360100/?lang=en")
    assert "Online service hall" in r.text and "Nanchang" in r.text
    assert "govhall_lang=en" in r.headers["set-cookie"]
    again = client.get("/t/360100/")
    assert "Online service hall" in again.text


def test_request_id_is_echoed(client):
    r = client.get("/healthz", headers={"X-Request-ID": "abcdef123456"})
    assert r.headers["x-request-id"] == "abcdef123456"


def test_guest_hall_page_is_cached_until_a_switch_changes_it(client, platform, cli):
    first = client.get("/t/360102/")
    assert 'data-plugin="credit"' in first.text
    assert client.get("/t/360102/").text == first.text  # served from the guest page cache
    assert cli("plugins", "disable", "credit", "--tenant", "360102").exit_code == 0
    platform.refresh()
    after = client.get("/t/360102/")
    assert 'data-plugin="credit"' not in after.text  # the directory version moved: re-rendered
    assert 'data-plugin="credit"' in client.get("/t/360103/").text
