"""Each error SSB's real service gives, as the local stand-in gives it (tests/fixtures/ssb_standin.py:
``{"type": "Parameter error", "title", "status"}``, an empty 500, an empty 404 for an over-long
URL, x-ratelimit headers), answered by the client with the whole Norwegian message: the table,
SSB's title, what it means and what to do. Only 429, 503 and the like are retried. Everything
is made up (oppdiktede testdata)."""
from __future__ import annotations

import sys

import pytest

from scripts.data.kostra_client import KostraApiError, RateLimiter, SsbClient, check_query
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
from ssb_standin import StandIn  # noqa: E402

TABLE = "04906"
QUERY = {"KOKkommuneregion0000": ["EAK"], "ContentsCode": ["KOSandelsosial0000"], "Tid": ["2014"]}
FETCH = "snakemake --cores 1 fetch_kostra --config fetch=true"
CATALOGUE = "config/kostra_catalogue.yaml"


@pytest.fixture(scope="module")
def ssb():
    with StandIn() as server:
        yield server


def client(ssb, **kwargs):
    sleeps: list[float] = []
    made = SsbClient(base_url=ssb.url, sleep=sleeps.append, rate_limiter=RateLimiter(1000, 60.0, sleep=sleeps.append),
                     **kwargs)
    return made, sleeps


def failure(ssb, status, title=None, headers=None, **kwargs):
    ssb.requests.clear()
    ssb.fail_next(status, title, headers)
    c, sleeps = client(ssb, **kwargs)
    with pytest.raises(KostraApiError) as info:
        c.get_raw(TABLE, QUERY)
    return str(info.value), c.url_for(TABLE, QUERY), sleeps, info.value


# What each title means and what to do, written out in full (not taken from the code under test).
TITLES = [
    (400, "Non-existent variable",
     "SSB kjenner ikke en av dimensjonene i spørringen (tabellen kan ha fått nye dimensjoner). "
     f"Hent på nytt ({FETCH}), så leses dimensjonene fra tabellens metadata: {{meta}}"),
    (400, "Non-existent codelist",
     "SSB kjenner ikke kodelisten spørringen ber om. Velg en kodeliste som står under extension.codelists i "
     "{meta}, eller ingen"),
    (400, "Non-existent value",
     "en kode i utvalget finnes ikke i tabellen (SSB kan ha endret kodene). "
     f"Hent på nytt ({FETCH}), så slås kodene opp fra etikettene i {{meta}}"),
    (400, "Missing selection for mandantory variable",
     "en dimensjon som ikke kan utelates, mangler i utvalget. Legg dimensjonen til under select: for tabellen i "
     f"{CATALOGUE} (se elimination i {{meta}})"),
    (400, "Illegal selection for mandantory variable",
     f"utvalget i en dimensjon som ikke kan utelates, er ugyldig. Velg én verdi ved etikett under select: for "
     f"tabellen i {CATALOGUE}"),
    (400, "Illegal selection expression",
     "et utvalgsuttrykk (*, ?, top(), from() …) er skrevet feil. Skriv uttrykket slik SSBs brukerveiledning "
     "gjør, eller bruk koder"),
    (400, "Illegal placment",
     "plasseringen av dimensjonene (heading/stub) er ugyldig. Ta bort plasseringsparametrene; hentingen trenger "
     "dem ikke"),
    (400, "Unsupported output format",
     "SSB leverer ikke formatet json-stat2 for denne spørringen. Kontroller dataFormats i {config}; hentingen "
     "trenger json-stat2"),
    (404, "Non-existent table",
     "tabellen finnes ikke (lagt ned, eller flyttet til et nytt tabellnummer). Finn tabellen som fører serien "
     f"videre i SSBs statistikkbank, og legg den til nederst under tables: for indikatoren i {CATALOGUE} med "
     "years og change_nb (se docs/kostra.md)"),
    (404, "Non-existent page", "siden i tabellisten finnes ikke. Begynn på første side (pageNumber=1)"),
]


@pytest.mark.parametrize(("status", "title", "explained"), TITLES, ids=[t[1] for t in TITLES])
def test_each_real_error_title_gets_the_whole_norwegian_message_and_no_retry(ssb, status, title, explained):
    message, url, sleeps, exc = failure(ssb, status, title)
    meta = f"{ssb.url}/tables/{TABLE}/metadata?lang=no"
    expected = f"SSB-tabell {TABLE}: HTTP {status} «{title}»: " + explained.format(meta=meta, config=f"{ssb.url}/config")
    assert message == f"{expected}. [{url}]"
    assert (exc.status, exc.title, exc.detail) == (status, title, None)
    assert [s for p, s in ssb.requests] == [status] and sleeps == []


def test_too_many_cells_has_its_detail_once(ssb):
    message, url, _sleeps, exc = failure(ssb, 400, "Too many cells selected")
    assert message == (
        f"SSB-tabell {TABLE}: HTTP 400 «Too many cells selected»: utvalget er større enn SSB tillater i ett uttrekk. "
        f"SSB har trolig senket maxDataCells siden {ssb.url}/config ble lest; hent på nytt, eller hent færre år "
        f"om gangen (--years). [{url}]")
    assert exc.detail is None  # SSB's detail repeats the title word for word


def test_an_empty_500_is_a_repeated_code_and_is_not_retried(ssb):
    message, url, sleeps, _exc = failure(ssb, 500)
    assert message == (
        f"SSB-tabell {TABLE}: HTTP 500: SSB svarte 500 uten innhold. Det gjør SSB når samme kode står to ganger i "
        "ett utvalg, så feilen ligger i spørringen og er ikke prøvd på nytt. Fjern den doble koden (regionene i "
        f"{CATALOGUE} og kommunene i den private kontorfilen). [{url}]")
    assert len(ssb.requests) == 1 and sleeps == []


def test_the_stand_in_really_answers_a_repeated_code_with_an_empty_500(ssb):
    import requests

    ssb.requests.clear()
    response = requests.get(f"{ssb.url}/tables/{TABLE}/data?lang=no&outputFormat=json-stat2&valueCodes%5B"
                            "KOKkommuneregion0000%5D=EAK,EAK&valueCodes%5BContentsCode%5D=KOSandelsosial0000&"
                            "valueCodes%5BTid%5D=2014", timeout=10)
    assert (response.status_code, response.content) == (500, b"")


def test_a_repeated_code_is_refused_before_anything_is_sent():
    with pytest.raises(KostraApiError) as info:
        check_query(TABLE, {**QUERY, "KOKkommuneregion0000": ["EAK", "9901", "EAK"]})
    assert str(info.value) == (
        f"SSB-tabell {TABLE}: dimensjonen 'KOKkommuneregion0000' har koden EAK mer enn én gang; SSB svarer 500 "
        f"uten forklaring på det. Fjern den doble koden (regionene i {CATALOGUE} og kommunene i den private "
        "kontorfilen)")


def test_an_over_long_url_is_answered_404_and_explained(ssb):
    ssb.requests.clear()
    c, sleeps = client(ssb, max_url_length=10_000)  # a client that does not split, to meet SSB's limit
    query = {**QUERY, "Tid": [str(y) for y in range(1000, 1400)]}
    url = c.url_for(TABLE, query)
    assert len(url) > 2100
    with pytest.raises(KostraApiError) as info:
        c.get_raw(TABLE, query)
    assert str(info.value) == (
        f"SSB-tabell {TABLE}: HTTP 404: SSB fant ikke adressen. Adressen er {len(url)} tegn, og SSB svarer 404 på "
        "adresser over om lag 2100 tegn; hent færre koder om gangen (klienten deler adresser over 10000 tegn). "
        f"[{url}]")
    assert ssb.requests[-1][1] == 404 and sleeps == []


def test_503_is_retried_after_retry_after(ssb):
    ssb.requests.clear()
    ssb.fail_next(503, None, {"Retry-After": "2"})
    c, sleeps = client(ssb)
    answer = c.get_raw(TABLE, QUERY)
    assert answer.frame["value"].tolist() == [3.9]
    assert [s for _p, s in ssb.requests] == [503, 200] and sleeps == [2.0]


def test_429_waits_as_the_rate_limit_headers_say(ssb):
    ssb.requests.clear()
    ssb.fail_next(429, None, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "7"})
    c, sleeps = client(ssb)
    c.get_raw(TABLE, QUERY)
    assert [s for _p, s in ssb.requests] == [429, 200] and sleeps == [7.0]


def test_429_until_the_client_gives_up(ssb):
    for _ in range(2):
        ssb.fail_next(429, None, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1"})
    message, url, sleeps, _exc = failure(ssb, 429, None, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1"},
                                         max_retries=2)
    assert message == (
        f"SSB-tabell {TABLE}: HTTP 429: SSB avviser kall utover grensen for antall kall (x-ratelimit-*) "
        f"(ga opp etter 3 forsøk). Vent til grensen nullstilles, og hent på nytt. [{url}]")
    assert sleeps == [1.0, 1.0]


def test_a_used_up_call_window_delays_the_next_call(ssb):
    ssb.requests.clear()
    ssb.rate_headers = {"x-ratelimit-limit": "30", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "12"}
    try:
        c, sleeps = client(ssb)
        c.get_raw(TABLE, QUERY)
        assert sleeps == []  # nothing to wait for before the first call
        c.get_raw(TABLE, QUERY)
        assert sleeps == [12.0]
    finally:
        ssb.rate_headers = {"x-ratelimit-limit": "30", "x-ratelimit-remaining": "29", "x-ratelimit-reset": "60"}


def test_unknown_table_from_the_stand_in_itself(ssb):
    c, _ = client(ssb)
    with pytest.raises(KostraApiError) as info:
        c.get_metadata("99999")
    assert str(info.value).startswith("SSB-tabell 99999: HTTP 404 «Non-existent table»: tabellen finnes ikke")
