"""Tests for scripts.kostra_client. HTTP is mocked with `responses`; nothing reaches SSB.

Fixtures are made up (tests/fixtures/kostra/README.md); "9901" is a made-up municipality.
"""
from __future__ import annotations

import ast
import hashlib
import itertools
import json
import math
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd
import pytest
import requests
import responses
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.data import kostra_client as kc
from scripts.data.kostra import parse_jsonstat
from scripts.data.kostra_client import (
    KostraApiError,
    RateLimiter,
    SsbClient,
    build_data_url,
    count_cells,
    fetch_to_snapshot,
    parse_retry_after,
    plan_catalogue_requests,
    snapshot_name,
    split_query,
)
from scripts.settings import ConfigError, load_catalogue, load_private_offices

FIXTURES = Path(__file__).parent / "fixtures" / "kostra"
ROOT = Path(__file__).resolve().parent.parent
TABLE = "04688"
DATA = re.compile(r"https://data\.ssb\.no/api/pxwebapi/v2/tables/04688/data\?.*")
ANY_DATA = re.compile(r"https://data\.ssb\.no/api/pxwebapi/v2/tables/\w+/data\?.*")
QUERY = {"Region": ["EAK", "EKG13"], "ContentsCode": ["XAndel", "XNetto"], "Tid": ["2014", "2015"]}
MADE_UP_MUNICIPALITY = "9901"  # not a real municipality number


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> dict:
    return json.loads(fixture_bytes(name))


@pytest.fixture
def mocked():
    """Every HTTP call must match a registered response; unmatched calls fail the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def make_client(**kwargs) -> tuple[SsbClient, list[float]]:
    """A client whose waits are recorded instead of slept."""
    sleeps: list[float] = []
    limiter = RateLimiter(1000, 60.0, sleep=sleeps.append)
    client = SsbClient(sleep=sleeps.append, rate_limiter=limiter, **kwargs)
    return client, sleeps


# --- a fake SSB that answers any selection with made-up JSON-stat -----------------------


def query_of(url: str) -> dict[str, list[str]]:
    """The valueCodes selection in a data URL, in URL order."""
    query = {}
    for part in urlsplit(url).query.split("&"):
        key, _, value = part.partition("=")
        key = unquote(key)
        if key.startswith("valueCodes["):
            query[unquote(key[len("valueCodes[") : -1])] = [unquote(c) for c in value.split(",")]
    return query


def cell_value(combo: tuple[str, ...]) -> float | None:
    """A made-up value that depends on the cell's codes; some cells are missing."""
    n = sum(ord(ch) * (i + 1) for i, code in enumerate(combo) for ch in code) % 997
    return None if n % 5 == 0 else float(n)


def made_up_jsonstat(query: dict[str, list[str]]) -> dict:
    query = {d: (["XAndel", "XNetto"] if codes == ["*"] else codes) for d, codes in query.items()}
    combos = list(itertools.product(*query.values()))
    values = [cell_value(c) for c in combos]
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "OPPDIKTET (made up)",
        "updated": "2016-06-15T06:00:00Z",
        "id": list(query),
        "size": [len(c) for c in query.values()],
        "dimension": {d: {"category": {"index": list(c)}} for d, c in query.items()},
        "value": values,
        "status": {str(i): ".." for i, v in enumerate(values) if v is None},
    }


ANY_META = re.compile(r"https://data\.ssb\.no/api/pxwebapi/v2/tables/\w+/metadata\?.*")


def made_up_metadata(request):
    """Metadata as /tables/{id}/metadata gives it (JSON-stat 2.0, ``value: []``, ``role``), KOSTRA-shaped,
    with the catalogue's labels and the made-up municipality; codes other than EAK/EKG13 are made up.
    Every table answers alike; function and type of account may be left out (elimination)."""
    regions = {"EAK": "Landet", "EKG13": "KOSTRA-gruppe 13", MADE_UP_MUNICIPALITY: "Oppdiktet kommune"}
    contents = {"XAndel": "Andelen sosialhjelpsmottakere i forhold til innbyggere",
                "XNetto": "Netto driftsutgifter til sosialtjenesten pr. innbygger", "XBelop": "Beløp per innbygger"}
    dims = {"KOKkommuneregion0000": regions, "KOKfunksjon0000": {"FGSOS": "Sosialtjenesten"},
            "KOKart0000": {"AGD2": "Netto driftsutgifter"}, "ContentsCode": contents,
            "Tid": {"2014": "2014", "2015": "2015"}}
    meta = {"version": "2.0", "class": "dataset", "label": "OPPDIKTET (made up)", "updated": "2016-06-15T06:00:00Z",
            "role": {"geo": ["KOKkommuneregion0000"], "metric": ["ContentsCode"], "time": ["Tid"]},
            "id": list(dims), "size": [len(v) for v in dims.values()], "value": [],
            "dimension": {d: {"label": d, "category": {"index": {c: i for i, c in enumerate(v)}, "label": v},
                              "extension": {"elimination": d.startswith("KOKf") or d.startswith("KOKa")}}
                          for d, v in dims.items()}}
    return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(meta)


def echo(request):
    return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(made_up_jsonstat(query_of(request.url)))


def expected_frame(query: dict[str, list[str]]) -> pd.DataFrame:
    return parse_jsonstat(made_up_jsonstat(query))


def sort_frame(frame: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    return frame.sort_values(dims).reset_index(drop=True)


# --- URL and query ----------------------------------------------------------------------


def test_url_follows_ssb_syntax():
    url = build_data_url(TABLE, QUERY)
    assert url == (
        "https://data.ssb.no/api/pxwebapi/v2/tables/04688/data?lang=no&outputFormat=json-stat2"
        "&valueCodes%5BRegion%5D=EAK,EKG13&valueCodes%5BContentsCode%5D=XAndel,XNetto&valueCodes%5BTid%5D=2014,2015"
    )


def test_url_encodes_plus_and_keeps_expressions_literal():
    url = build_data_url(TABLE, {"Alder": ["4+5", "a b"], "Tid": ["top(3)", "*"]})
    assert "valueCodes%5BAlder%5D=4%2B5,a%20b" in url
    assert "valueCodes%5BTid%5D=top(3),*" in url
    # What requests actually sends is exactly this URL.
    assert requests.Request("GET", url).prepare().url == url


@pytest.mark.parametrize(
    ("table", "query", "message"),
    [
        ("../etc", QUERY, "SSB-tabell '../etc': ugyldig tabell-id; forventet bare bokstaver, sifre, '_' eller '-'"),
        (TABLE, {}, f"SSB-tabell {TABLE}: utvalget er tomt; forventet minst én dimensjon med koder"),
        (TABLE, {"Region": []}, f"SSB-tabell {TABLE}: dimensjonen 'Region' har kodene []; forventet en ikke-tom liste"),
        (TABLE, {"Region": "EAK"}, f"SSB-tabell {TABLE}: dimensjonen 'Region' har kodene 'EAK'; forventet en ikke-tom"),
        (TABLE, {"Region": [""]}, f"SSB-tabell {TABLE}: dimensjonen 'Region' har kodene ['']; forventet en ikke-tom"),
        (TABLE, {"Reg ion": ["EAK"]}, f"SSB-tabell {TABLE}: dimensjonsnavnet 'Reg ion' er ugyldig; forventet bare"),
    ],
)
def test_bad_queries_are_refused_before_any_request(mocked, table, query, message):
    client, _ = make_client()
    with pytest.raises(KostraApiError, match=re.escape(message)):
        client.fetch(table, query)
    assert len(mocked.calls) == 0


def test_count_cells():
    assert count_cells(QUERY) == 8
    assert count_cells({"Region": ["EAK"], "Tid": ["top(3)"]}) is None
    assert count_cells({"Region": ["*"]}) is None


# --- success ----------------------------------------------------------------------------


def test_success_parses_the_answer(mocked):
    mocked.add(responses.GET, DATA, body=fixture_bytes("keyfigures_two_regions.json"), status=200)
    client, sleeps = make_client()
    frame = client.fetch(TABLE, QUERY)
    pd.testing.assert_frame_equal(frame, parse_jsonstat(fixture_json("keyfigures_two_regions.json")))
    assert len(mocked.calls) == 1
    sent = mocked.calls[0].request
    assert sent.url == build_data_url(TABLE, QUERY)
    assert sent.headers["Accept"] == "application/json"
    assert sleeps == []


def test_every_call_has_a_timeout():
    seen = []

    class Session:
        def get(self, url, **kwargs):
            seen.append(kwargs)
            response = requests.Response()
            response.status_code = 200
            response._content = fixture_bytes("keyfigures_two_regions.json")
            return response

    client, _ = make_client(session=Session(), timeout=(3.0, 30.0))
    client.fetch(TABLE, QUERY)
    assert seen and all(kw.get("timeout") == (3.0, 30.0) for kw in seen)


# --- retries ----------------------------------------------------------------------------


def test_429_then_success_honours_retry_after(mocked):
    mocked.add(
        responses.GET, DATA, json=fixture_json("problem_429_too_many_requests.json"), status=429,
        headers={"Retry-After": "7"}, content_type="application/problem+json",
    )
    mocked.add(responses.GET, DATA, body=fixture_bytes("keyfigures_two_regions.json"), status=200)
    client, sleeps = make_client()
    frame = client.fetch(TABLE, QUERY)
    assert len(frame) == 8
    assert len(mocked.calls) == 2
    assert sleeps == [7.0]


def test_429_without_retry_after_backs_off_exponentially(mocked):
    for _ in range(2):
        mocked.add(responses.GET, DATA, status=429)
    mocked.add(responses.GET, DATA, body=fixture_bytes("keyfigures_two_regions.json"), status=200)
    client, sleeps = make_client(backoff=1.5)
    client.fetch(TABLE, QUERY)
    assert sleeps == [1.5, 3.0]


def test_500_gives_up_after_n_retries_with_a_clear_message(mocked):
    mocked.add(responses.GET, DATA, json={"title": "Internal Server Error", "status": 500}, status=500)
    client, sleeps = make_client(max_retries=3, backoff=2.0)
    with pytest.raises(KostraApiError) as info:
        client.fetch(TABLE, QUERY)
    message = str(info.value)
    assert len(mocked.calls) == 4
    assert sleeps == [2.0, 4.0, 8.0]
    assert "SSB-tabell 04688" in message and "HTTP 500" in message
    assert "Internal Server Error" in message
    assert "ga opp etter 4 forsøk" in message
    assert info.value.status == 500


def test_backoff_is_capped(mocked):
    mocked.add(responses.GET, DATA, status=503)
    client, sleeps = make_client(max_retries=5, backoff=10.0, max_backoff=25.0)
    with pytest.raises(KostraApiError):
        client.fetch(TABLE, QUERY)
    assert sleeps == [10.0, 20.0, 25.0, 25.0, 25.0]


def test_502_html_body_is_quoted_in_the_message(mocked):
    mocked.add(responses.GET, DATA, body="<html><body>Bad gateway</body></html>", status=502, content_type="text/html")
    client, _ = make_client(max_retries=1)
    with pytest.raises(KostraApiError) as info:
        client.fetch(TABLE, QUERY)
    assert "HTTP 502" in str(info.value)
    assert "Bad gateway" in str(info.value)


def test_retry_after_longer_than_max_wait_stops_at_once(mocked):
    mocked.add(responses.GET, DATA, status=429, headers={"Retry-After": "3600"})
    client, sleeps = make_client(max_wait=120.0)
    with pytest.raises(KostraApiError, match="ber om å vente 3600 s"):
        client.fetch(TABLE, QUERY)
    assert len(mocked.calls) == 1
    assert sleeps == []


@pytest.mark.parametrize(
    ("exception", "words"),
    [
        (requests.exceptions.ReadTimeout("read timed out"), "tidsavbrudd"),
        (requests.exceptions.ConnectTimeout("connect timed out"), "tidsavbrudd"),
        (requests.exceptions.ConnectionError("Connection reset by peer"), "kunne ikke koble til"),
    ],
)
def test_timeouts_and_connection_errors_retry_then_fail(mocked, exception, words):
    mocked.add(responses.GET, DATA, body=exception)
    client, sleeps = make_client(max_retries=2, backoff=1.0)
    with pytest.raises(KostraApiError) as info:
        client.fetch(TABLE, QUERY)
    assert len(mocked.calls) == 3
    assert sleeps == [1.0, 2.0]
    assert words in str(info.value)
    assert "SSB-tabell 04688" in str(info.value) and "ga opp etter 3 forsøk" in str(info.value)


@pytest.mark.parametrize("cause", [
    "HTTPSConnectionPool(host='data.ssb.no', port=443): Max retries exceeded (Caused by NameResolutionError("
    "\"Failed to resolve 'data.ssb.no' ([Errno -3] Temporary failure in name resolution)\"))",
    "[Errno 101] Network is unreachable",
])
def test_without_network_the_fetch_stops_at_once_and_says_so(mocked, cause):
    mocked.add(responses.GET, DATA, body=requests.exceptions.ConnectionError(cause))
    client, sleeps = make_client(max_retries=4, backoff=1.0)
    with pytest.raises(KostraApiError) as info:
        client.fetch(TABLE, QUERY)
    assert len(mocked.calls) == 1 and sleeps == []
    assert str(info.value).startswith(f"SSB-tabell 04688: fant ikke fram til SSB ({cause}). Er maskinen på nett, "
                                      "og er ssb_url riktig? Ingenting er hentet, og uttrekkene som finnes, står "
                                      "uendret. Prøv igjen når nettet er der [")


def test_rate_limiter_is_asked_before_every_attempt(mocked):
    mocked.add(responses.GET, DATA, status=503)
    mocked.add(responses.GET, DATA, body=fixture_bytes("keyfigures_two_regions.json"), status=200)

    class Counting(RateLimiter):
        calls = 0

        def acquire(self):
            Counting.calls += 1
            return 0.0

    client = SsbClient(sleep=lambda s: None, rate_limiter=Counting())
    client.fetch(TABLE, QUERY)
    assert Counting.calls == len(mocked.calls) == 2


def test_parse_retry_after():
    now = datetime(2015, 10, 21, 7, 27, 30, tzinfo=UTC)
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


# --- error answers ----------------------------------------------------------------------


def test_400_unknown_dimension_reports_ssb_title_and_detail(mocked):
    problem = fixture_json("problem_400_nonexistent_variable.json")
    mocked.add(responses.GET, DATA, json=problem, status=400, content_type="application/problem+json")
    client, sleeps = make_client()
    with pytest.raises(KostraApiError) as info:
        client.fetch(TABLE, {"Regionx": ["EAK"], "Tid": ["2014"]})
    url = "https://data.ssb.no/api/pxwebapi/v2/tables/04688/data?lang=no&outputFormat=json-stat2&" \
        "valueCodes%5BRegionx%5D=EAK&valueCodes%5BTid%5D=2014"
    assert str(info.value) == (
        "SSB-tabell 04688: HTTP 400 «Non-existent variable»: SSB kjenner ikke en av dimensjonene i spørringen "
        "(tabellen kan ha fått nye dimensjoner). Hent på nytt (snakemake --cores 1 fetch_kostra --config "
        "fetch=true), så leses dimensjonene fra tabellens metadata: "
        f"https://data.ssb.no/api/pxwebapi/v2/tables/04688/metadata?lang=no. [{url}]")
    assert (info.value.status, info.value.title, info.value.detail) == (400, "Non-existent variable", None)
    assert len(mocked.calls) == 1 and sleeps == []  # client errors are not retried


def test_404_unknown_table(mocked):
    url = re.compile(r"https://data\.ssb\.no/api/pxwebapi/v2/tables/99998/data\?.*")
    mocked.add(responses.GET, url, json=fixture_json("problem_404_nonexistent_table.json"), status=404)
    client, _ = make_client()
    with pytest.raises(KostraApiError) as info:
        client.fetch("99998", QUERY)
    message = str(info.value)
    assert message.startswith(
        "SSB-tabell 99998: HTTP 404 «Non-existent table»: tabellen finnes ikke (lagt ned, eller flyttet til et nytt "
        "tabellnummer). Finn tabellen som fører serien videre i SSBs statistikkbank, og legg den til nederst under "
        "tables: for indikatoren i config/kostra_catalogue.yaml med years og change_nb (se docs/kostra.md). [")
    assert len(mocked.calls) == 1


def test_403_with_plain_text_body(mocked):
    mocked.add(responses.GET, DATA, body="Forbidden", status=403, content_type="text/plain")
    client, _ = make_client()
    with pytest.raises(KostraApiError) as info:
        client.fetch(TABLE, QUERY)
    assert "HTTP 403" in str(info.value) and "nektet" in str(info.value)
    assert "Forbidden" in str(info.value)


def test_problem_json_with_validation_errors_lists_them(mocked):
    body = {"title": "One or more validation errors occurred.", "status": 400, "errors": {"valueCodes": ["bad"]}}
    mocked.add(responses.GET, DATA, json=body, status=400)
    client, _ = make_client()
    with pytest.raises(KostraApiError, match=r"valueCodes: \[\"bad\"\]"):
        client.fetch(TABLE, QUERY)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>maintenance</html>", "ikke gyldig JSON"),
        (b'{"value": [1, 2', "ikke gyldig JSON"),
        (b"\xff\xfe\xfa", "ikke gyldig JSON"),
        (json.dumps({"class": "dataset", "id": ["Region"]}).encode(), "ikke et brukbart JSON-stat 2.0-datasett"),
        (json.dumps([1, 2, 3]).encode(), "ikke et brukbart JSON-stat 2.0-datasett"),
    ],
)
def test_malformed_200_answers(mocked, body, message):
    mocked.add(responses.GET, DATA, body=body, status=200)
    client, _ = make_client()
    with pytest.raises(KostraApiError) as info:
        client.fetch(TABLE, QUERY)
    assert message in str(info.value)
    assert "SSB-tabell 04688" in str(info.value)
    assert len(mocked.calls) == 1


def test_answer_without_a_requested_dimension_is_an_error(mocked):
    mocked.add(responses.GET, DATA, body=fixture_bytes("keyfigures_two_regions.json"), status=200)
    client, _ = make_client()
    with pytest.raises(KostraApiError, match="mangler dimensjonen Kjonn"):
        client.fetch(TABLE, {**QUERY, "Kjonn": ["0"]})


# --- splitting --------------------------------------------------------------------------


def test_large_query_is_split_along_the_largest_dimension_and_merged(mocked):
    mocked.add_callback(responses.GET, DATA, callback=echo)
    query = {"Region": ["EAK", "EKG13", "9902", "9903"], "ContentsCode": ["XAndel"], "Tid": ["2014", "2015"]}
    client, _ = make_client(max_cells=4)
    frame = client.fetch(TABLE, query)
    sent = [query_of(call.request.url) for call in mocked.calls]
    assert len(sent) == 2
    assert all(count_cells(q) <= 4 for q in sent)
    assert all(q["Tid"] == ["2014", "2015"] for q in sent)  # Region (largest) was cut
    dims = list(query)
    pd.testing.assert_frame_equal(sort_frame(frame, dims), sort_frame(expected_frame(query), dims))


def test_split_when_one_code_of_the_largest_dimension_is_still_too_big(mocked):
    mocked.add_callback(responses.GET, DATA, callback=echo)
    query = {"Region": ["EAK", "EKG13", "9902"], "ContentsCode": ["XAndel", "XNetto"], "Tid": ["2014", "2015"]}
    client, _ = make_client(max_cells=2)
    frame = client.fetch(TABLE, query)
    assert len(mocked.calls) == 6
    assert all(count_cells(query_of(c.request.url)) <= 2 for c in mocked.calls)
    dims = list(query)
    pd.testing.assert_frame_equal(sort_frame(frame, dims), sort_frame(expected_frame(query), dims))


def test_long_urls_are_split_too(mocked):
    mocked.add_callback(responses.GET, DATA, callback=echo)
    query = {"Region": [f"K{i:04d}" for i in range(200)], "ContentsCode": ["XAndel"], "Tid": ["2014"]}
    client, _ = make_client(max_url_length=600)
    frame = client.fetch(TABLE, query)
    assert len(mocked.calls) > 1
    assert all(len(c.request.url) <= 600 for c in mocked.calls)
    assert sorted(frame["Region"]) == sorted(query["Region"])


QUERIES = st.dictionaries(
    keys=st.sampled_from(["Region", "ContentsCode", "Tid", "Kjonn"]),
    values=st.lists(st.text(alphabet="abcdef0123", min_size=1, max_size=3), min_size=1, max_size=6, unique=True),
    min_size=1,
    max_size=4,
)


@settings(max_examples=200, deadline=None)
@given(QUERIES, st.integers(min_value=1, max_value=50))
def test_property_split_covers_every_cell_exactly_once(query, max_cells):
    parts = split_query(query, max_cells)
    assert all(count_cells(p) <= max_cells for p in parts)
    assert all(list(p) == list(query) for p in parts)
    cells = [cell for p in parts for cell in itertools.product(*p.values())]
    assert len(cells) == len(set(cells)) == math.prod(len(c) for c in query.values())
    assert set(cells) == set(itertools.product(*query.values()))
    if count_cells(query) <= max_cells:
        assert parts == [query]


# --- rate limiter -----------------------------------------------------------------------


def test_rate_limiter_waits_for_the_window():
    clock = [0.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        clock[0] += seconds

    limiter = RateLimiter(3, 10.0, clock=lambda: clock[0], sleep=sleep)
    for t in (0.0, 1.0, 2.0):
        clock[0] = t
        assert limiter.acquire() == 0.0
    clock[0] = 3.0
    assert limiter.acquire() == pytest.approx(7.0)
    assert sleeps == [pytest.approx(7.0)]
    clock[0] = 30.0
    assert limiter.acquire() == 0.0


def test_default_limit_is_ssbs_30_per_60_seconds():
    limiter = RateLimiter()
    assert (limiter.max_calls, limiter.period) == (30, 60.0)


# --- snapshots --------------------------------------------------------------------------

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def snapshot_files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_snapshot_stores_the_bytes_as_received_with_a_sidecar(mocked, tmp_path):
    raw = fixture_bytes("keyfigures_two_regions.json")
    mocked.add(responses.GET, DATA, body=raw, status=200)
    client, _ = make_client()
    path = fetch_to_snapshot(client, TABLE, QUERY, tmp_path, now=NOW)
    assert re.fullmatch(r"04688_[0-9a-f]{12}\.json", path.name)
    assert path.read_bytes() == raw
    meta = json.loads(path.with_suffix(".meta.json").read_text(encoding="utf-8"))
    assert meta["table"] == TABLE
    assert meta["url"] == build_data_url(TABLE, QUERY)
    assert meta["query"] == QUERY
    assert meta["fetched_at"] == "2025-01-02T03:04:05Z"
    assert meta["ssb_updated"] == json.loads(raw)["updated"]
    assert meta["sha256"] == hashlib.sha256(raw).hexdigest()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, path.with_suffix(".meta.json").name])


def test_snapshot_name_depends_on_table_query_and_language():
    name = snapshot_name(TABLE, QUERY, "no")
    assert name == snapshot_name(TABLE, {k: list(v) for k, v in QUERY.items()}, "no")
    assert name != snapshot_name(TABLE, {**QUERY, "Tid": ["2014"]}, "no")
    assert name != snapshot_name(TABLE, QUERY, "en")
    assert name != snapshot_name("07786", QUERY, "no")


def _failing(mocked, kind):
    if kind == "http 500":
        mocked.add(responses.GET, DATA, status=500)
    elif kind == "timeout":
        mocked.add(responses.GET, DATA, body=requests.exceptions.ReadTimeout("slow"))
    elif kind == "malformed json":
        mocked.add(responses.GET, DATA, body=b'{"version": "2.0", "value": [', status=200)
    elif kind == "not json-stat":
        mocked.add(responses.GET, DATA, json={"hello": "world"}, status=200)
    elif kind == "http 400":
        mocked.add(responses.GET, DATA, json=fixture_json("problem_400_nonexistent_variable.json"), status=400)


@pytest.mark.parametrize("kind", ["http 500", "timeout", "malformed json", "not json-stat", "http 400"])
def test_failed_fetch_never_replaces_a_good_snapshot(mocked, tmp_path, kind):
    mocked.add(responses.GET, DATA, body=fixture_bytes("keyfigures_two_regions.json"), status=200)
    client, _ = make_client(max_retries=1)
    fetch_to_snapshot(client, TABLE, QUERY, tmp_path, now=NOW)
    before = snapshot_files(tmp_path)
    mocked.reset()
    _failing(mocked, kind)
    with pytest.raises(KostraApiError):
        fetch_to_snapshot(client, TABLE, QUERY, tmp_path, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert snapshot_files(tmp_path) == before  # same files, same bytes, no temp files


def test_failure_while_moving_into_place_leaves_old_snapshot_and_no_temp_files(mocked, tmp_path, monkeypatch):
    mocked.add(responses.GET, DATA, body=fixture_bytes("keyfigures_two_regions.json"), status=200)
    client, _ = make_client()
    fetch_to_snapshot(client, TABLE, QUERY, tmp_path, now=NOW)
    before = snapshot_files(tmp_path)

    def broken_replace(src, dst):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(kc.os, "replace", broken_replace)
    with pytest.raises(OSError, match="simulated"):
        fetch_to_snapshot(client, TABLE, QUERY, tmp_path, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert snapshot_files(tmp_path) == before


def test_snapshot_refuses_a_selection_that_needs_several_requests(mocked, tmp_path):
    client, _ = make_client(max_cells=4)
    with pytest.raises(KostraApiError, match=r"SSB-tabell \w+: utvalget trenger 2 spørringer; forventet én\."):
        fetch_to_snapshot(client, TABLE, QUERY, tmp_path)
    assert len(mocked.calls) == 0
    assert list(tmp_path.iterdir()) == []


# --- catalogue --------------------------------------------------------------------------


def test_shipped_catalogue_is_valid_and_matches_the_thesis_indicators():
    catalogue = load_catalogue(ROOT / "config" / "kostra_catalogue.yaml")
    thesis = yaml.safe_load((ROOT / "data" / "thesis" / "indikatorer.yaml").read_text(encoding="utf-8"))
    kostra_ids = {i["id"] for i in thesis["indikatorer"] if i["kilde"] == "kostra"}
    assert {i["id"] for i in catalogue["indicators"]} == kostra_ids
    for indicator in catalogue["indicators"]:
        assert indicator["direction"] == "lower_is_better"
        for table in indicator["tables"]:
            # None of the answers recorded from SSB is a KOSTRA table: nothing may claim to be checked
            # against one, and every note says what was not.
            assert table["verified"]["recorded"] is False and table["unknown"], (indicator["id"], table["table"])
            assert "ikke kontrollert" in table["verified"]["note"], (indicator["id"], table["table"])
        assert indicator["tables"][-1]["series"] == "current"


def test_shipped_catalogue_names_no_municipality():
    text = (ROOT / "config" / "kostra_catalogue.yaml").read_text(encoding="utf-8")
    # Four-digit codes in the file may only be the made-up 99xx examples.
    assert set(re.findall(r'"(\d{4})"', text)) <= {"9901", "9902"}
    codes = {r["code"] for i in load_catalogue()["indicators"] for r in i["regions"]}
    assert not any(re.fullmatch(r"\d{4}", c) for c in codes)


def write_catalogue(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((ROOT / "config" / "kostra_catalogue.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["indicators"][0].update(direction="sideways"), "indicators/0/direction"),
        (lambda d: d["indicators"][1].pop("unit"), "indicators/1: 'unit' is a required property"),
        (lambda d: d["indicators"][0]["tables"][0].update(table=4906), "indicators/0/tables/0/table"),
        (lambda d: d["indicators"][0]["regions"][1]["years"].update(to="2019"), "indicators/0/regions/1/years/to"),
        (lambda d: d["indicators"][0]["tables"][0].pop("unknown"), "indicators/0/tables/0: 'unknown' is a required property"),
        (lambda d: d["indicators"][0]["tables"][0].update(verified=True), "indicators/0/tables/0/verified: True is not of type 'object'"),
        (lambda d: d["indicators"][0]["tables"][0]["years"].update({"from": 2016, "to": 2014}),
         "indicators/0 (sosialhjelpsmottakere_andel)/tables/0 (tabell 04906)/years: «from» (2016) er etter «to» (2014)"),
        (lambda d: d["indicators"][0]["tables"][1]["years"].update({"from": 2016}),
         "tables/1 (tabell 12210)/years/from: 2016, men tabell 04906 slutter med 2014; forventet året etter"),
        (lambda d: d["indicators"][0]["tables"][1].pop("change_nb"),
         "tables/1 (tabell 12210): mangler change_nb; forventet en setning om hva som endret seg fra tabell 04906"),
        (lambda d: d["indicators"][0]["tables"][0].update(series="current"),
         "tables/0 (tabell 04906)/series: «current», men tabell 12210 kommer etter"),
        (lambda d: d["indicators"][0]["tables"][0]["years"].pop("to"),
         "tables/0 (tabell 04906)/years: mangler «to»; bare den siste tabellen kan være åpen framover"),
        (lambda d: d["indicators"][1].update(id=d["indicators"][0]["id"]), "(sosialhjelpsmottakere_andel): id «sosialhjelpsmottakere_andel» er brukt to ganger; forventet en unik id"),
        (lambda d: d.update(extra=1), "(øverste nivå): Additional properties"),
    ],
)
def test_catalogue_errors_name_file_and_field(tmp_path, change, where):
    path = write_catalogue(tmp_path, change)
    with pytest.raises(ConfigError) as info:
        load_catalogue(path)
    assert str(path) in str(info.value)
    assert where in str(info.value)


def test_catalogue_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "catalogue.yaml"
    path.write_text("version: 1\nindicators:\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"catalogue.yaml: YAML-feil på linje \d+: expected"):
        load_catalogue(path)


def test_missing_catalogue(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.yaml: fila finnes ikke$"):
        load_catalogue(tmp_path / "nope.yaml")


# --- private offices --------------------------------------------------------------------


def test_private_offices_absent_means_empty(tmp_path):
    assert load_private_offices(tmp_path / "offices.private.yaml") == {}


def test_private_offices_made_up_mapping(tmp_path):
    path = tmp_path / "offices.private.yaml"
    path.write_text('# made-up numbers\noffices:\n  A: "9901"\n  F: "9906"\n', encoding="utf-8")
    assert load_private_offices(path) == {"A": "9901", "F": "9906"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("offices:\n  A: 9901\n", "offices/A: kommunenummeret står uten anførselstegn (leses som int); "
                                   'forventet det i anførselstegn, f.eks. "9901"'),
        # YAML would read this as a number
        ("offices:\n  A: 0123\n", "offices/A: kommunenummeret står uten anførselstegn (leses som int)"),
        ('offices:\n  G: "9901"\n', "offices/G: ukjent kontor; forventet en av A, B, C, D, E, F"),
        ('offices:\n  A: "99011"\n', "offices/A: verdien har 5 tegn; forventet fire sifre"),
        ('A: "9901"\n', "forventet en tabell «offices:» med kontorbokstav -> kommunenummer"),
        ('offices:\n  A: "9901"\nextra: 1\n', "ukjent(e) nøkkel(er) øverst: extra; forventet bare offices og names"),
    ],
)
def test_private_offices_errors(tmp_path, text, message):
    path = tmp_path / "offices.private.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_private_offices(path)
    assert f"{path}: {message}" in str(info.value)
    # The mistyped value is (nearly) a private municipality number: never echoed.
    assert "9901" not in str(info.value).replace('f.eks. "9901"', "") and "0123" not in str(info.value)


def test_empty_private_file_means_no_offices(tmp_path):
    path = tmp_path / "offices.private.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert load_private_offices(path) == {}


# --- planning from the catalogue --------------------------------------------------------


def test_plan_without_offices_is_public_only():
    planned = plan_catalogue_requests(load_catalogue(), [2014, 2022])
    assert planned and not any(p.private for p in planned)
    assert {(p.indicator_id, p.table) for p in planned} == {
        ("sosialhjelpsmottakere_andel", "04906"), ("sosialhjelpsmottakere_andel", "13995"),
        ("netto_driftsutgifter_sosialtjenesten", "04906"), ("netto_driftsutgifter_sosialtjenesten", "12362")}


def test_plan_asks_each_year_from_its_table_and_regions_only_for_years_they_cover():
    planned = plan_catalogue_requests(load_catalogue(), years=[2014, 2019, 2020])
    first = [p for p in planned if p.indicator_id == "sosialhjelpsmottakere_andel"]
    # Unresolved (no metadata read): the roles stand in for the dimension names.
    selections = [(p.table, p.value_codes["geo"], p.value_codes["time"]) for p in first]
    # Group 13 only up to 2019 (the groups were redefined for the 2020 figures).
    assert selections == [("04906", ["EAK", "EKG13"], ["2014"]), ("12210", ["EAK", "EKG13"], ["2019"]),
                          ("12210", ["EAK"], ["2020"])]


def test_plan_uses_what_was_resolved_from_the_metadata():
    resolved = {("netto_driftsutgifter_sosialtjenesten", "12362"): {
        "dimensions": {"region": "KOKkommuneregion0000", "contents": "ContentsCode", "time": "Tid"},
        "select": {"KOKfunksjon0000": "FGSOS", "KOKart0000": "AGD2"}, "content": {"code": "KOSbelopinnbygge0000"},
        "regions": [{"label_nb": "Landet", "code": "EAK"}]}}
    [net] = [p for p in plan_catalogue_requests(load_catalogue(), [2022], resolved=resolved)
             if p.indicator_id == "netto_driftsutgifter_sosialtjenesten"]
    assert net.value_codes == {"KOKkommuneregion0000": ["EAK"], "KOKfunksjon0000": ["FGSOS"], "KOKart0000": ["AGD2"],
                               "ContentsCode": ["KOSbelopinnbygge0000"], "Tid": ["2022"]}


def test_a_year_no_table_covers_stops_the_plan():
    with pytest.raises(kc.ResolveError) as info:
        plan_catalogue_requests(load_catalogue(), [1998, 2014])
    assert str(info.value) == ("sosialhjelpsmottakere_andel: ingen tabell i config/kostra_catalogue.yaml dekker 1998; "
                               "legg tabellen som har disse årene til under tables: med years og change_nb")


def test_plan_adds_a_separate_private_request_and_hides_its_numbers():
    offices = {"A": MADE_UP_MUNICIPALITY, "B": "9902"}
    planned = plan_catalogue_requests(load_catalogue(), years=[2014], offices=offices)
    private = [p for p in planned if p.private]
    assert len(private) == len(load_catalogue()["indicators"])
    for request in private:
        assert request.value_codes["geo"] == ["9901", "9902"]
        assert "9901" not in request.describe() and "2 private kommuner" in request.describe()
    assert all("9901" not in p.value_codes["geo"] for p in planned if not p.private)


# --- CLI --------------------------------------------------------------------------------


def test_cli_dry_run_sends_nothing(mocked, tmp_path, capsys):
    code = kc.main(["fetch", "--dry-run", "--years", "2014", "2015", "--dest", str(tmp_path),
                    "--offices", str(tmp_path / "absent.yaml")])
    err = capsys.readouterr().err
    assert code == 0
    assert len(mocked.calls) == 0
    assert err.count("ville hentet") == len(plan_catalogue_requests(load_catalogue(), [2014, 2015]))
    assert "tabell 04906" in err and "tabell 12210" in err
    assert list(tmp_path.iterdir()) == []


def test_cli_fetch_writes_public_and_private_snapshots_without_leaking_numbers(mocked, tmp_path, capsys):
    mocked.add(responses.GET, "https://data.ssb.no/api/pxwebapi/v2/config", status=404)
    mocked.add_callback(responses.GET, ANY_META, callback=made_up_metadata)
    mocked.add_callback(responses.GET, ANY_DATA, callback=echo)
    offices = tmp_path / "offices.private.yaml"
    offices.write_text(f'offices:\n  A: "{MADE_UP_MUNICIPALITY}"\n', encoding="utf-8")
    dest = tmp_path / "kostra"
    code = kc.main(["fetch", "--years", "2014", "--dest", str(dest), "--offices", str(offices)])
    err = capsys.readouterr().err
    assert code == 0, err
    planned = plan_catalogue_requests(load_catalogue(), [2014], {"A": MADE_UP_MUNICIPALITY})
    tables = {p.table for p in planned}
    # /config (404 here: defaults kept), one metadata request per table, then the data.
    assert len(mocked.calls) == 1 + len(tables) + len(planned)
    assert err.count(": ok -> ") == len(planned)  # one progress line per request
    assert MADE_UP_MUNICIPALITY not in err
    public = sorted(p.name for p in dest.glob("*.json") if not p.name.endswith(".meta.json"))
    private = sorted(p.name for p in (dest / "private").glob("*.json") if not p.name.endswith(".meta.json"))
    assert len(public) == sum(not p.private for p in planned)
    assert len(private) == sum(p.private for p in planned)
    assert (dest / "private" / ".gitignore").read_text().strip().endswith("*")
    for name in public:
        assert MADE_UP_MUNICIPALITY not in (dest / name).read_text(encoding="utf-8")


def test_cli_fetch_failure_exits_1_and_masks_private_numbers(mocked, tmp_path, capsys):
    problem = {"title": "Non-existent value", "status": 400, "detail": f"Value {MADE_UP_MUNICIPALITY} does not exist"}
    mocked.add(responses.GET, "https://data.ssb.no/api/pxwebapi/v2/config", status=404)
    mocked.add_callback(responses.GET, ANY_META, callback=made_up_metadata)
    mocked.add(responses.GET, ANY_DATA, json=problem, status=400)
    offices = tmp_path / "offices.private.yaml"
    offices.write_text(f'offices:\n  C: "{MADE_UP_MUNICIPALITY}"\n', encoding="utf-8")
    code = kc.main(["fetch", "--years", "2014", "--dest", str(tmp_path / "k"), "--offices", str(offices)])
    err = capsys.readouterr().err
    assert code == 1
    assert "FEILET" in err and "Non-existent value" in err
    assert MADE_UP_MUNICIPALITY not in err


def test_cli_bad_catalogue_exits_2(tmp_path, capsys):
    bad = write_catalogue(tmp_path, lambda d: d["indicators"][0].update(direction="up"))
    code = kc.main(["fetch", "--catalogue", str(bad), "--dest", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "indicators/0/direction" in err


def test_parser_module_has_no_network_code():
    tree = ast.parse((ROOT / "scripts" / "data" / "kostra.py").read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])
    }
    assert not {m.split(".")[0] for m in imported} & {"requests", "urllib", "http", "socket", "urllib3"}
    # Of the project only the command-line entry point, which imports no network code either.
    assert {m for m in imported if m.split(".")[0] == "scripts"} == {"scripts.cli"}


def test_fetch_stops_when_a_closed_table_has_no_figures_for_a_year_the_catalogue_gives_it(mocked, tmp_path, capsys):
    mocked.add(responses.GET, "https://data.ssb.no/api/pxwebapi/v2/config", status=404)
    mocked.add_callback(responses.GET, ANY_META, callback=made_up_metadata)
    code = kc.main(["fetch", "--years", "2014", "2016", "--dest", str(tmp_path / "k"),
                    "--offices", str(tmp_path / "none.yaml")])
    err = capsys.readouterr().err
    assert code == 1
    assert ("kostra_client: stopper før henting: tabell 12210 har ikke tall for 2016 (sosialhjelpsmottakere_andel; "
            "tabellen har 2014–2015, config/kostra_catalogue.yaml gir den 2015–2021). Legg tabellen som fører serien "
            "videre til under tables: med years og change_nb.") in err
    assert not (tmp_path / "k").exists()
    assert not any("/data?" in c.request.url for c in mocked.calls)  # stopped before any data request


def test_fetch_stops_when_the_current_table_has_not_got_the_year_yet(mocked, tmp_path, capsys):
    mocked.add(responses.GET, "https://data.ssb.no/api/pxwebapi/v2/config", status=404)
    mocked.add_callback(responses.GET, ANY_META, callback=made_up_metadata)
    code = kc.main(["fetch", "--years", "2030", "--dest", str(tmp_path / "k"), "--offices", str(tmp_path / "none.yaml")])
    assert code == 1
    assert ("tabell 13995 har ikke tall for 2030 (sosialhjelpsmottakere_andel; tabellen har 2014–2015, "
            "config/kostra_catalogue.yaml gir den 2022–). Tallene er kanskje ikke publisert ennå; hent et tidligere "
            "år.") in capsys.readouterr().err


def test_the_fetch_command_gives_every_request_a_finite_connect_and_read_timeout(tmp_path, monkeypatch):
    """The real command builds its client with the default timeout: that default must be finite.

    The first request is stopped as soon as it is sent, so nothing is retried or slept.
    """
    seen = []

    class Sent(Exception):
        pass

    def get(self, url, **kwargs):
        seen.append(kwargs.get("timeout", "no timeout given"))
        raise Sent

    monkeypatch.setattr(requests.Session, "get", get)
    with pytest.raises(Sent):
        kc.main(["fetch", "--dest", str(tmp_path / "snap"), "--offices", str(tmp_path / "ingen.yaml")])
    [timeout] = seen
    assert isinstance(timeout, tuple) and len(timeout) == 2, timeout
    assert all(isinstance(t, (int, float)) and 0 < t <= 300 for t in timeout), timeout
