"""Fetch KOSTRA figures from Statistics Norway's PxWebApi v2 and keep them as snapshots.

Nothing here runs during the build: the build reads snapshots in ``data/raw/kostra``;
fetching happens only when someone runs ``python -m scripts.data.kostra_client fetch``.

What SSB's API does, as recorded (../shared/ssb/README.md and the answers beside it) and
documented (PxTools user guide; see also docs/kostra.md):

* Data URL: ``https://data.ssb.no/api/pxwebapi/v2/tables/{id}/data?lang=no&outputFormat=
  json-stat2&valueCodes[Dim]=a,b``; one ``valueCodes[...]`` per dimension that may not be left
  out. URLs longer than about 2 100 characters are answered 404.
* ``/config`` gives ``maxDataCells`` (800 000 live). The call limit moved from ``/config``
  (``maxCallsPerTimeWindow``, now 0) to ``x-ratelimit-*`` response headers.
* Errors are ``{"type": "Parameter error", "title", "status"}`` (``detail`` only for some);
  the titles are those of ``ERROR_HELP``. A repeated code in one selection gives 500 with an
  empty body: a bug in the query, so it is not retried (and ``check_query`` refuses it first).
  No recorded 429 body exists; 429 and 503 are retried, waiting as the headers say.

Not recorded: the exact ``x-ratelimit-*`` names and whether ``reset`` is seconds or a Unix
time (both are accepted), and whether SSB sends ``Retry-After`` (honoured when present).
"""
from __future__ import annotations

import argparse
import email.utils
import hashlib
import json
import math
import os
import re
import sys
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import requests

from scripts import cli, paths
from scripts.atomic import temp_beside
from scripts.data.kostra import KostraFormatError, parse_jsonstat, read_snapshot
from scripts.data.kostra_metadata import ResolveError, resolve_indicator
from scripts.settings import ConfigError, indicator_tables, load_catalogue, load_private_offices

BASE_URL = "https://data.ssb.no/api/pxwebapi/v2"
MAX_CELLS = 800_000
RATE_LIMIT_REQUESTS = 30
RATE_LIMIT_PERIOD = 60.0
# SSB answers 404 to URLs over about 2100 characters; stay below it with some margin.
SSB_URL_LIMIT = 2100
MAX_URL_LENGTH = 2000
# 500 only with a body: an empty 500 is SSB's answer to a repeated code, which no retry mends.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
CATALOGUE_FILE = "config/kostra_catalogue.yaml"
FETCH_COMMAND = "snakemake --cores 1 fetch_kostra --config fetch=true"
# SSB's error titles (PxWebApi, ProblemUtility.cs; misspellings are SSB's) -> what went wrong
# and what the user does about it. {meta} is the table's metadata URL, {config} the /config URL.
ERROR_HELP = {
    "Non-existent variable": (
        "SSB kjenner ikke en av dimensjonene i spørringen (tabellen kan ha fått nye dimensjoner)",
        f"Hent på nytt ({FETCH_COMMAND}), så leses dimensjonene fra tabellens metadata: {{meta}}"),
    "Non-existent codelist": (
        "SSB kjenner ikke kodelisten spørringen ber om",
        "Velg en kodeliste som står under extension.codelists i {meta}, eller ingen"),
    "Non-existent value": (
        "en kode i utvalget finnes ikke i tabellen (SSB kan ha endret kodene)",
        f"Hent på nytt ({FETCH_COMMAND}), så slås kodene opp fra etikettene i {{meta}}"),
    "Missing selection for mandantory variable": (
        "en dimensjon som ikke kan utelates, mangler i utvalget",
        f"Legg dimensjonen til under select: for tabellen i {CATALOGUE_FILE} (se elimination i {{meta}})"),
    "Illegal selection for mandantory variable": (
        "utvalget i en dimensjon som ikke kan utelates, er ugyldig",
        f"Velg én verdi ved etikett under select: for tabellen i {CATALOGUE_FILE}"),
    "Illegal selection expression": (
        "et utvalgsuttrykk (*, ?, top(), from() …) er skrevet feil",
        "Skriv uttrykket slik SSBs brukerveiledning gjør, eller bruk koder"),
    "Illegal placment": (
        "plasseringen av dimensjonene (heading/stub) er ugyldig",
        "Ta bort plasseringsparametrene; hentingen trenger dem ikke"),
    "Too many cells selected": (
        "utvalget er større enn SSB tillater i ett uttrekk",
        "SSB har trolig senket maxDataCells siden {config} ble lest; hent på nytt, eller hent færre år om gangen (--years)"),
    "Unsupported output format": (
        "SSB leverer ikke formatet json-stat2 for denne spørringen",
        "Kontroller dataFormats i {config}; hentingen trenger json-stat2"),
    "Non-existent table": (
        "tabellen finnes ikke (lagt ned, eller flyttet til et nytt tabellnummer)",
        f"Finn tabellen som fører serien videre i SSBs statistikkbank, og legg den til nederst under tables: "
        f"for indikatoren i {CATALOGUE_FILE} med years og change_nb (se docs/kostra.md)"),
    "Non-existent page": (
        "siden i tabellisten finnes ikke",
        "Begynn på første side (pageNumber=1)"),
}
SOURCE_NOTE = "Statistisk sentralbyrå (SSB), Statistikkbanken, CC BY 4.0"

# Snapshots that contain the offices' municipalities go to a sub-folder that ignores
# itself in git, because municipality + letter would de-anonymise the thesis offices.
PRIVATE_SUBDIR = "private"

NAME = re.compile(r"^[\w-]+$")
EXPRESSION_CHARS = set("*?(")


class KostraApiError(RuntimeError):
    """A fetch from SSB failed; the message names table, HTTP status and SSB's reason."""

    def __init__(
        self,
        message: str,
        *,
        table_id: str | None = None,
        status: int | None = None,
        title: str | None = None,
        detail: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.table_id = table_id
        self.status = status
        self.title = title
        self.detail = detail
        self.url = url


@dataclass(frozen=True)
class RawAnswer:
    """One successful answer: the URL asked, the bytes as received, and their parse."""

    url: str
    content: bytes
    dataset: dict
    frame: pd.DataFrame


# --- queries (pure) -----------------------------------------------------------------


def build_data_url(
    table_id: str,
    value_codes: Mapping[str, Sequence[str]],
    *,
    base_url: str = BASE_URL,
    lang: str = "no",
) -> str:
    """The GET URL for one data request, in the syntax of SSB's user guide.

    ``valueCodes[Dim]`` is sent as ``valueCodes%5BDim%5D``: requests (urllib3) encodes the
    brackets anyway, and building the URL exactly as sent keeps the length check and the
    URL recorded in snapshot metadata true. Commas and selection-expression characters
    stay literal; everything else in a code is percent-encoded, so a ``+`` cannot turn
    into a space.
    """
    check_query(table_id, value_codes)
    params = [f"lang={quote(lang, safe='')}", "outputFormat=json-stat2"]
    for dim, codes in value_codes.items():
        joined = ",".join(quote(str(c), safe="()*?,") for c in codes)
        params.append(f"valueCodes%5B{quote(dim, safe='')}%5D={joined}")
    return f"{base_url}/tables/{quote(table_id, safe='')}/data?" + "&".join(params)


def metadata_url(table_id: str, *, base_url: str = BASE_URL, lang: str = "no") -> str:
    """Where a user can look up a table's dimension names and value codes."""
    return f"{base_url}/tables/{quote(table_id, safe='')}/metadata?lang={lang}"


def check_query(table_id: str, value_codes: Mapping[str, Sequence[str]]) -> None:
    """Reject table ids and selections SSB could only answer with a confusing error."""
    if not isinstance(table_id, str) or not NAME.match(table_id):
        raise KostraApiError(
            f"SSB-tabell {table_id!r}: ugyldig tabell-id; forventet bare bokstaver, sifre, '_' eller '-'",
            table_id=str(table_id),
        )
    if not value_codes:
        raise KostraApiError(f"SSB-tabell {table_id}: utvalget er tomt; forventet minst én dimensjon med koder",
                             table_id=table_id)
    for dim, codes in value_codes.items():
        if not isinstance(dim, str) or not NAME.match(dim):
            raise KostraApiError(
                f"SSB-tabell {table_id}: dimensjonsnavnet {dim!r} er ugyldig; forventet bare bokstaver, "
                "sifre, '_' eller '-'", table_id=table_id
            )
        if isinstance(codes, str) or not codes or not all(
            isinstance(c, str) and c for c in codes
        ):
            raise KostraApiError(
                f"SSB-tabell {table_id}: dimensjonen {dim!r} har kodene {codes!r}; forventet en "
                f"ikke-tom liste med ikke-tomme koder",
                table_id=table_id,
            )
        repeated = sorted({c for c in codes if list(codes).count(c) > 1})
        if repeated:
            # SSB answers a repeated code with an empty 500; say what is wrong before sending.
            raise KostraApiError(
                f"SSB-tabell {table_id}: dimensjonen {dim!r} har koden {', '.join(repeated)} mer enn én gang; "
                f"SSB svarer 500 uten forklaring på det. Fjern den doble koden (regionene i {CATALOGUE_FILE} "
                "og kommunene i den private kontorfilen)",
                table_id=table_id,
            )


def count_cells(value_codes: Mapping[str, Sequence[str]]) -> int | None:
    """Cells a selection asks for, or None when an expression (``*``, ``top(3)``) hides it."""
    if any(EXPRESSION_CHARS & set(c) for codes in value_codes.values() for c in codes):
        return None
    return math.prod(len(codes) for codes in value_codes.values())


def split_query(
    value_codes: Mapping[str, Sequence[str]], max_cells: int = MAX_CELLS
) -> list[dict[str, list[str]]]:
    """Split a selection into parts of at most ``max_cells`` cells each.

    Cuts along the dimension with most codes (first one on a tie) into as few chunks as
    possible; if one code of that dimension is still too big, the chunks are split again
    along the next dimension. The parts together select exactly the original cells, once
    each. Selections with expressions cannot be counted and are returned whole.
    """
    if max_cells < 1:
        raise ValueError(f"max_cells er {max_cells}; forventet minst 1")
    query = {dim: list(codes) for dim, codes in value_codes.items()}
    cells = count_cells(query)
    if cells is None or cells <= max_cells:
        return [query]
    dim = max(query, key=lambda d: len(query[d]))
    codes = query[dim]
    chunk = max(1, max_cells // (cells // len(codes)))
    parts: list[dict[str, list[str]]] = []
    for start in range(0, len(codes), chunk):
        parts.extend(split_query({**query, dim: codes[start : start + chunk]}, max_cells))
    return parts


def query_digest(table_id: str, value_codes: Mapping[str, Sequence[str]], lang: str) -> str:
    """SHA-256 of the canonical query; code order matters because SSB keeps it."""
    canonical = json.dumps(
        {"table": table_id, "lang": lang, "valueCodes": {d: list(c) for d, c in value_codes.items()}},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def snapshot_name(table_id: str, value_codes: Mapping[str, Sequence[str]], lang: str) -> str:
    """File name ``<table>_<first 12 hex of the query digest>.json``."""
    return f"{table_id}_{query_digest(table_id, value_codes, lang)[:12]}.json"


def merge_frames(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Stack the parsed parts of a split query; they must have the same columns."""
    if not frames:
        raise ValueError("ingen deler å slå sammen; forventet minst én")
    columns = list(frames[0].columns)
    for frame in frames[1:]:
        if list(frame.columns) != columns:
            raise KostraApiError(
                f"delene av en oppdelt spørring kom tilbake med ulike dimensjoner: "
                f"{columns} og {list(frame.columns)}; forventet de samme"
            )
    return pd.concat(frames, ignore_index=True)


# --- HTTP errors and waiting (pure) -------------------------------------------------


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def problem_details(response: requests.Response) -> tuple[str | None, str | None]:
    """SSB's ``title`` and ``detail`` from an error body, else a text snippet (None, None when
    the body is empty)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and ("title" in body or "detail" in body):
        title = _text(body.get("title"))
        detail = _text(body.get("detail"))
        errors = body.get("errors")
        if isinstance(errors, dict) and errors:
            listed = "; ".join(f"{k}: {_text(v)}" for k, v in errors.items())
            detail = f"{detail} ({listed})" if detail else listed
        return title, (None if detail == title else detail)
    snippet = _one_line(response.text)[:200]
    return None, (f"svar som ikke er JSON: {snippet!r}" if snippet else None)


def http_error_message(table_id: str, status: int, title: str | None, detail: str | None, url: str, *,
                       base_url: str = BASE_URL, lang: str = "no", attempts: int = 1,
                       max_url_length: int = MAX_URL_LENGTH) -> str:
    """The whole Norwegian message for an error answer: table, status, SSB's title, what it
    means, and what to do. ``title`` and ``detail`` as :func:`problem_details` gives them."""
    meta, config = metadata_url(table_id, base_url=base_url, lang=lang), f"{base_url}/config"
    if title in ERROR_HELP:
        what, todo = ERROR_HELP[title]
    elif status == 404:
        what = "SSB fant ikke adressen"
        todo = (f"Adressen er {len(url)} tegn, og SSB svarer 404 på adresser over om lag 2100 tegn; hent færre "
                f"koder om gangen (klienten deler adresser over {max_url_length} tegn)") if len(url) > SSB_URL_LIMIT \
            else f"Kontroller tabellnummeret i {CATALOGUE_FILE}"
    elif status == 500 and not title and not detail:
        what = ("SSB svarte 500 uten innhold. Det gjør SSB når samme kode står to ganger i ett utvalg, så feilen "
                "ligger i spørringen og er ikke prøvd på nytt")
        todo = f"Fjern den doble koden (regionene i {CATALOGUE_FILE} og kommunene i den private kontorfilen)"
    elif status == 429:
        what = "SSB avviser kall utover grensen for antall kall (x-ratelimit-*)"
        todo = "Vent til grensen nullstilles, og hent på nytt"
    elif status == 403:
        what, todo = "SSB nektet tilgang til tabellen", "Prøv igjen senere; vedvarer det, kontakt SSB"
    elif status >= 500:
        what, todo = "SSBs tjeneste feiler eller er utilgjengelig", "Prøv igjen senere"
    else:
        what, todo = "SSB avviste spørringen", f"Kontroller dimensjoner og koder mot {meta}"
    message = f"SSB-tabell {table_id}: HTTP {status}"
    if title:
        message += f" «{title}»"
    if detail:
        message += f" ({detail})"
    message += f": {what}"
    if attempts > 1:
        message += f" (ga opp etter {attempts} forsøk)"
    return f"{message}. {todo.format(meta=meta, config=config)}. [{url}]"


def server_limits(conf: Mapping) -> tuple[int, tuple[int, int] | None]:
    """``maxDataCells`` and (calls, seconds) from a ``/config`` answer; the call limit is None
    when the server gives 0 (it moved to response headers). Raises ValueError on other values."""
    def count(key: str) -> int:
        value = conf[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"/config: {key} er {value!r}; forventet et helt tall, 0 eller større")
        return value

    cells, calls, window = count("maxDataCells"), count("maxCallsPerTimeWindow"), count("timeWindow")
    if cells < 1:
        raise ValueError(f"/config: maxDataCells er {cells}; forventet minst 1")
    return cells, ((calls, window) if calls and window else None)


# What a connection error says when there is no network or no such host (urllib3 and the C library).
UNREACHABLE = ("NameResolutionError", "Failed to resolve", "Name or service not known",
               "Temporary failure in name resolution", "No address associated with hostname",
               "Network is unreachable", "nodename nor servname")


def unreachable(exc: Exception) -> bool:
    """Whether a connection error means SSB cannot be reached at all from here (not worth retrying);
    a dropped or refused connection may pass, so it is retried."""
    return any(s in str(exc) for s in UNREACHABLE)


def worth_retrying(status: int, body: bytes) -> bool:
    """429, 502–504, and 500 with a body; an empty 500 is SSB's answer to a repeated code."""
    return status in RETRY_STATUSES and not (status == 500 and not body.strip())


def ratelimit_wait(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds until SSB's call window opens again, from ``x-ratelimit-remaining`` and
    ``x-ratelimit-reset`` (seconds, or a Unix time when larger than 10⁹); None when calls remain
    or the headers say nothing usable."""
    lower = {k.lower(): v for k, v in headers.items()}
    remaining, reset = lower.get("x-ratelimit-remaining"), lower.get("x-ratelimit-reset")
    try:
        if remaining is None or int(float(remaining)) > 0 or reset is None:
            return None
        seconds = float(reset)
    except ValueError:
        return None
    if seconds > 1e9:
        seconds -= time.time() if now is None else now
    return max(0.0, seconds)


def _text(value: object) -> str | None:
    if value is None:
        return None
    return _one_line(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


# --- rate limiting ------------------------------------------------------------------


class RateLimiter:
    """Sliding-window limiter: at most ``max_calls`` starts in any ``period`` seconds."""

    def __init__(
        self,
        max_calls: int = RATE_LIMIT_REQUESTS,
        period: float = RATE_LIMIT_PERIOD,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_calls < 1 or period <= 0:
            raise ValueError(f"max_calls er {max_calls} og period {period}; forventet max_calls >= 1 og period > 0")
        self.max_calls = max_calls
        self.period = period
        self.clock = clock
        self.sleep = sleep
        self._starts: deque[float] = deque()

    def acquire(self) -> float:
        """Wait until another call is allowed, record it, and return the seconds waited."""
        now = self.clock()
        while self._starts and now - self._starts[0] >= self.period:
            self._starts.popleft()
        waited = 0.0
        if len(self._starts) >= self.max_calls:
            waited = max(0.0, self._starts[0] + self.period - now)
            if waited:
                self.sleep(waited)
            self._starts.popleft()
            # A fake clock in tests may not move while sleeping; never go back in time.
            now = max(self.clock(), now + waited)
        self._starts.append(now)
        return waited


# --- the client ---------------------------------------------------------------------


class SsbClient:
    """PxWebApi v2 client: timeouts, retries with back-off, rate limit, query splitting."""

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        base_url: str = BASE_URL,
        lang: str = "no",
        timeout: float | tuple[float, float] = (10.0, 120.0),
        max_retries: int = 4,
        backoff: float = 2.0,
        max_backoff: float = 60.0,
        max_wait: float = 300.0,
        max_cells: int = MAX_CELLS,
        max_url_length: int = MAX_URL_LENGTH,
        rate_limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.session = session or requests.Session()
        self.base_url = base_url.rstrip("/")
        self.lang = lang
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_wait = max_wait
        self.max_cells = max_cells
        self.max_url_length = max_url_length
        self.sleep = sleep
        self.rate_limiter = rate_limiter or RateLimiter(sleep=sleep)
        self.log = log or (lambda _msg: None)
        self._window_wait = 0.0

    def url_for(self, table_id: str, value_codes: Mapping[str, Sequence[str]]) -> str:
        """The GET URL this client would send for one selection."""
        return build_data_url(table_id, value_codes, base_url=self.base_url, lang=self.lang)

    def plan(
        self, table_id: str, value_codes: Mapping[str, Sequence[str]]
    ) -> list[dict[str, list[str]]]:
        """The selections ``fetch`` will send: split by cell limit, then by URL length."""
        check_query(table_id, value_codes)
        planned: list[dict[str, list[str]]] = []
        for part in split_query(value_codes, self.max_cells):
            planned.extend(self._split_long_url(table_id, part))
        return planned

    def fetch(self, table_id: str, value_codes: Mapping[str, Sequence[str]]) -> pd.DataFrame:
        """All requested cells as one tidy DataFrame, however many requests it takes."""
        parts = self.plan(table_id, value_codes)
        return merge_frames([self.get_raw(table_id, part).frame for part in parts])

    def get_raw(self, table_id: str, value_codes: Mapping[str, Sequence[str]]) -> RawAnswer:
        """Send one request (with retries) and return the validated answer as received."""
        url = self.url_for(table_id, value_codes)
        return self._validated(table_id, url, self._get(table_id, url), value_codes)

    def get_metadata(self, table_id: str) -> dict:
        """The table's metadata (``/tables/{id}/metadata``, a JSON-stat 2.0 dataset without
        values), with the same retries, back-off and rate limit as data requests."""
        url = metadata_url(table_id, base_url=self.base_url, lang=self.lang)
        content = self._get(table_id, url)
        try:
            meta = json.loads(content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise KostraApiError(f"SSB-tabell {table_id}: metadata er ikke gyldig JSON ({exc}) [{url}]",
                                 table_id=table_id, status=200, url=url) from exc
        if not isinstance(meta, dict) or not isinstance(meta.get("dimension"), dict):
            raise KostraApiError(f"SSB-tabell {table_id}: metadata mangler objektet 'dimension' [{url}]",
                                 table_id=table_id, status=200, url=url)
        return meta

    def apply_server_config(self) -> dict | None:
        """Read ``/config`` and use the server's ``maxDataCells``, and ``maxCallsPerTimeWindow``
        per ``timeWindow`` when given (SSB now sends 0 there: the limit is in ``x-ratelimit-*``
        headers, which ``_get`` honours). Keeps the defaults when the endpoint does not answer
        usefully."""
        try:
            # One attempt, no retries: the limits are a refinement, not needed to fetch.
            self.rate_limiter.acquire()
            response = self.session.get(f"{self.base_url}/config", timeout=self.timeout,
                                        headers={"Accept": "application/json"})
            if response.status_code != 200:
                raise ValueError(f"HTTP {response.status_code}")
            conf = response.json()
            cells, calls = server_limits(conf)
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            self.log(f"  /config: {_one_line(str(exc))}; bruker standardgrensene")
            return None
        self.max_cells = min(self.max_cells, cells)
        if calls:
            self.rate_limiter = RateLimiter(calls[0], float(calls[1]), sleep=self.sleep)
        return conf

    def _get(self, table_id: str, url: str) -> bytes:
        """GET ``url`` with retries; the body of the first 200 answer."""
        attempts = self.max_retries + 1
        for attempt in range(1, attempts + 1):
            if self._window_wait:
                # SSB said its call window was used up (x-ratelimit-*): wait for it to reopen.
                self.log(f"  tabell {table_id}: venter {self._window_wait:.1f} s på SSBs kallgrense")
                self.sleep(self._window_wait)
                self._window_wait = 0.0
            self.rate_limiter.acquire()
            try:
                response = self.session.get(
                    url, timeout=self.timeout, headers={"Accept": "application/json"}
                )
            except requests.Timeout as exc:
                failure, cause, status, retry_after = "intet svar i tide (tidsavbrudd)", exc, None, None
            except requests.ConnectionError as exc:
                if unreachable(exc):
                    # No network, or no such host: waiting does not bring it back.
                    raise KostraApiError(
                        f"SSB-tabell {table_id}: fant ikke fram til SSB ({exc}). Er maskinen på nett, og er "
                        "ssb_url riktig? Ingenting er hentet, og uttrekkene som finnes, står uendret. "
                        f"Prøv igjen når nettet er der [{url}]",
                        table_id=table_id,
                        url=url,
                    ) from exc
                failure, cause, status, retry_after = f"kunne ikke koble til ({exc})", exc, None, None
            except requests.RequestException as exc:
                raise KostraApiError(
                    f"SSB-tabell {table_id}: forespørselen feilet: {exc} [{url}]",
                    table_id=table_id,
                    url=url,
                ) from exc
            else:
                window = ratelimit_wait(response.headers)
                if response.status_code == 200:
                    self._window_wait = window or 0.0
                    return response.content
                if not worth_retrying(response.status_code, response.content):
                    raise self._http_error(table_id, url, response, attempt)
                status, cause = response.status_code, None
                failure = f"HTTP {status}"
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                if retry_after is None:
                    retry_after = window
                if attempt == attempts:
                    raise self._http_error(table_id, url, response, attempt)
            if attempt == attempts:
                raise KostraApiError(
                    f"SSB-tabell {table_id}: {failure}; ga opp etter {attempts} forsøk [{url}]",
                    table_id=table_id,
                    status=status,
                    url=url,
                ) from cause
            delay = self._delay(attempt, retry_after)
            if delay > self.max_wait:
                raise KostraApiError(
                    f"SSB-tabell {table_id}: {failure}; SSB ber om å vente {delay:.0f} s, lenger "
                    f"enn de {self.max_wait:.0f} s klienten venter. Prøv igjen senere [{url}]",
                    table_id=table_id,
                    status=status,
                    url=url,
                )
            self.log(
                f"  tabell {table_id}: {failure}, nytt forsøk {attempt}/{self.max_retries} "
                f"om {delay:.1f} s"
            )
            self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """Server's Retry-After if given, else exponential back-off capped at max_backoff."""
        if retry_after is not None:
            return retry_after
        return min(self.max_backoff, self.backoff * 2 ** (attempt - 1))

    def _validated(
        self, table_id: str, url: str, content: bytes, value_codes: Mapping[str, Sequence[str]]
    ) -> RawAnswer:
        """Check a 200 answer is JSON-stat with the dimensions asked for."""
        try:
            dataset = json.loads(content)
        except (ValueError, UnicodeDecodeError) as exc:
            snippet = _one_line(content[:120].decode("utf-8", "replace"))
            raise KostraApiError(
                f"SSB-tabell {table_id}: svaret er ikke gyldig JSON ({exc}); "
                f"det begynner med {snippet!r} [{url}]",
                table_id=table_id,
                status=200,
                url=url,
            ) from exc
        try:
            frame = parse_jsonstat(dataset)
        except KostraFormatError as exc:
            raise KostraApiError(
                f"SSB-tabell {table_id}: svaret er ikke et brukbart JSON-stat 2.0-datasett: "
                f"{exc} [{url}]",
                table_id=table_id,
                status=200,
                url=url,
            ) from exc
        missing = [dim for dim in value_codes if dim not in dataset["id"]]
        if missing:
            raise KostraApiError(
                f"SSB-tabell {table_id}: svaret mangler dimensjonen {', '.join(missing)}; "
                f"tabellens dimensjoner er {', '.join(dataset['id'])}. Kontroller navnene i "
                f"{metadata_url(table_id, base_url=self.base_url, lang=self.lang)}",
                table_id=table_id,
                status=200,
                url=url,
            )
        return RawAnswer(url=url, content=content, dataset=dataset, frame=frame)

    def _http_error(
        self, table_id: str, url: str, response: requests.Response, attempts: int
    ) -> KostraApiError:
        status = response.status_code
        title, detail = problem_details(response)
        message = http_error_message(table_id, status, title, detail, url, base_url=self.base_url, lang=self.lang,
                                     attempts=attempts, max_url_length=self.max_url_length)
        return KostraApiError(message, table_id=table_id, status=status, title=title, detail=detail, url=url)

    def _split_long_url(
        self, table_id: str, value_codes: dict[str, list[str]]
    ) -> list[dict[str, list[str]]]:
        """Halve a selection along its largest dimension until each URL fits."""
        if len(self.url_for(table_id, value_codes)) <= self.max_url_length:
            return [value_codes]
        dim = max(value_codes, key=lambda d: len(value_codes[d]))
        codes = value_codes[dim]
        if len(codes) < 2:
            raise KostraApiError(
                f"SSB-tabell {table_id}: adressen til spørringen er lenger enn "
                f"{self.max_url_length} tegn selv med én kode per dimensjon; forventet kortere koder",
                table_id=table_id,
            )
        half = len(codes) // 2
        return self._split_long_url(table_id, {**value_codes, dim: codes[:half]}) + (
            self._split_long_url(table_id, {**value_codes, dim: codes[half:]})
        )


# --- snapshots ----------------------------------------------------------------------


def fetch_to_snapshot(
    client: SsbClient,
    table_id: str,
    value_codes: Mapping[str, Sequence[str]],
    dest_dir: str | Path,
    *,
    now: datetime | None = None,
    resolved: dict | None = None,
    mask: Sequence[str] = (),
) -> Path:
    """Fetch one selection and store the answer byte for byte as a snapshot.

    Writes ``<table>_<sha12>.json`` and ``<table>_<sha12>.meta.json`` in ``dest_dir``.
    The bytes go to a temporary file first, are read back and parsed as JSON-stat, and
    only then replace the old snapshot with ``os.replace`` (atomic on one file system).
    Any failure before that leaves an existing snapshot exactly as it was. The selection
    must fit in one request (see ``SsbClient.plan``), because a snapshot is one answer.
    """
    dest_dir = Path(dest_dir)
    parts = client.plan(table_id, value_codes)
    if len(parts) != 1:
        raise KostraApiError(
            f"SSB-tabell {table_id}: utvalget trenger {len(parts)} spørringer; forventet én. "
            f"Lagre hver del fra SsbClient.plan() som sitt eget øyeblikksbilde",
            table_id=table_id,
        )
    name = snapshot_name(table_id, value_codes, client.lang)
    final = dest_dir / name
    meta_final = final.with_suffix(".meta.json")
    answer = client.get_raw(table_id, value_codes)  # raises before anything is written
    dest_dir.mkdir(parents=True, exist_ok=True)
    tmp_data = tmp_meta = None
    try:
        tmp_data = _write_temp(dest_dir, name, answer.content)
        try:
            read_snapshot(tmp_data)  # what is on disk must parse, not only what was in memory
        except KostraFormatError as exc:
            raise KostraApiError(
                f"SSB-tabell {table_id}: det lagrede svaret kan ikke leses: {exc}",
                table_id=table_id,
                url=answer.url,
            ) from exc
        meta = snapshot_meta(client, table_id, value_codes, answer, now=now)
        if resolved is not None:
            # What the catalogue's labels resolved to in the table's metadata at fetch time.
            meta["resolved"] = resolved
        if mask:
            # The URL is copied into the provenance appendix; the municipality numbers in it
            # must not be (the query, kept for re-fetching, stays in this private sidecar).
            meta["url"] = _mask(meta["url"], mask)
        meta_bytes = (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        tmp_meta = _write_temp(dest_dir, meta_final.name, meta_bytes)
        os.replace(tmp_data, final)
        tmp_data = None
        os.replace(tmp_meta, meta_final)
        tmp_meta = None
    finally:
        for leftover in (tmp_data, tmp_meta):
            if leftover is not None:
                leftover.unlink(missing_ok=True)
    return final


def snapshot_meta(
    client: SsbClient,
    table_id: str,
    value_codes: Mapping[str, Sequence[str]],
    answer: RawAnswer,
    *,
    now: datetime | None = None,
) -> dict:
    """The sidecar record: where the bytes came from, when, and their checksum."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return {
        "table": table_id,
        "url": answer.url,
        "lang": client.lang,
        "query": {dim: list(codes) for dim, codes in value_codes.items()},
        "fetched_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "ssb_updated": answer.dataset.get("updated"),
        "sha256": hashlib.sha256(answer.content).hexdigest(),
        "bytes": len(answer.content),
        "source": SOURCE_NOTE,
    }


def _write_temp(directory: Path, final_name: str, data: bytes) -> Path:
    """Write bytes to a hidden temp file in ``directory`` and flush them to disk."""
    return temp_beside(Path(directory) / final_name, data)


# --- fetch plan from the catalogue --------------------------------------------------


@dataclass(frozen=True)
class PlannedRequest:
    """One selection to fetch for a catalogue indicator."""

    indicator_id: str
    table: str
    value_codes: dict[str, list[str]]
    region_dim: str
    private: bool

    def describe(self) -> str:
        """Progress text; never shows the private municipality numbers."""
        dims = []
        for dim, codes in self.value_codes.items():
            if self.private and dim == self.region_dim:
                dims.append(f"{dim}=<{len(codes)} private kommuner>")
            else:
                dims.append(f"{dim}={','.join(codes)}")
        return f"{self.indicator_id} (tabell {self.table}): {' '.join(dims)}"


# Shown in a dry run, where no metadata is read: the role that will name each dimension.
UNRESOLVED_DIMS = {"region": "geo", "contents": "metric", "time": "time"}


def wanted_tables(indicator: Mapping, years: Sequence[int]) -> list[tuple[dict, list[int]]]:
    """The indicator's tables that carry any of ``years``, each with the years it carries.
    Raises ``ResolveError`` for a year no table covers (the catalogue must say where it is)."""
    out, covered = [], set()
    for entry in indicator_tables(indicator):
        mine = [y for y in years if entry["years"]["from"] <= y <= entry["years"].get("to", 10**4)]
        covered.update(mine)
        if mine:
            out.append((entry, mine))
    absent = sorted(set(years) - covered)
    if absent:
        raise ResolveError(
            f"{indicator['id']}: ingen tabell i {CATALOGUE_FILE} dekker {', '.join(map(str, absent))}; "
            "legg tabellen som har disse årene til under tables: med years og change_nb")
    return out


def plan_catalogue_requests(
    catalogue: Mapping,
    years: Sequence[int],
    offices: Mapping[str, str] | None = None,
    resolved: Mapping[tuple[str, str], dict] | None = None,
) -> list[PlannedRequest]:
    """Selections for every indicator and every table it needs for ``years``: public regions,
    then (if given) the offices.

    Each year is asked from the one table the catalogue names for it, so a series that crosses
    a change of table becomes requests to both tables. Dimension ids, content code, region codes
    and further selections come from ``resolved`` (per ``(indicator id, table)``, as
    :func:`resolve_catalogue` gives them); without it (a dry run) the roles stand in for the
    dimension names and the catalogue's expected codes for the codes. A public region is asked
    only for the years its definition covers (KOSTRA groups were redefined), so years with the
    same valid regions share one request.
    """
    planned: list[PlannedRequest] = []
    for indicator in catalogue["indicators"]:
        for entry, table_years in wanted_tables(indicator, years):
            r = (resolved or {}).get((indicator["id"], entry["table"]))
            dims = r["dimensions"] if r else UNRESOLVED_DIMS
            content = [r["content"]["code"] if r else entry.get("content_code") or "*"]
            extra = {d: [c] for d, c in (r["select"] if r else {}).items()}
            codes = {x["label_nb"]: x["code"] for x in r["regions"]} if r else {}
            by_regions: dict[tuple[str, ...], list[str]] = {}
            for year in table_years:
                valid = tuple(codes.get(reg["label_nb"], reg["code"]) for reg in indicator["regions"]
                              if reg["years"]["from"] <= year <= reg["years"]["to"])
                if valid:
                    by_regions.setdefault(valid, []).append(str(year))
            for regions, region_years in by_regions.items():
                planned.append(_planned(indicator["id"], entry["table"], dims, list(regions), content, extra,
                                        region_years, private=False))
            if offices:
                planned.append(_planned(indicator["id"], entry["table"], dims, sorted(set(offices.values())),
                                        content, extra, [str(y) for y in table_years], private=True))
    return planned


def _planned(indicator_id, table, dims, regions, content, extra, years, *, private) -> PlannedRequest:
    return PlannedRequest(
        indicator_id=indicator_id,
        table=table,
        value_codes={dims["region"]: regions, **extra, dims["contents"]: content, dims["time"]: years},
        region_dim=dims["region"],
        private=private,
    )


def default_years(config_path: Path = paths.ROOT / "config" / "config.yaml") -> list[int]:
    """The edition's years from ``config/config.yaml`` (``years`` and ``year``), as the build uses them."""
    import yaml

    conf = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    return sorted(set(conf.get("years") or []) | {conf["year"]})


def _mask(text: str, secrets: Sequence[str]) -> str:
    """Hide municipality numbers in messages that may end up in shared logs."""
    for secret in secrets:
        text = re.sub(rf"(?<!\d){re.escape(secret)}(?!\d)", "****", text)
    return text


def _ensure_private_dir(directory: Path) -> None:
    """Create the private snapshot folder with a .gitignore that ignores everything in it."""
    directory.mkdir(parents=True, exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Snapshots with the offices' municipalities: never commit.\n*\n")


def resolve_catalogue(client: SsbClient, catalogue: Mapping, municipalities: Sequence[str],
                      years: Sequence[int]) -> dict[tuple[str, str], dict]:
    """Read each table's metadata once and resolve, per indicator and table, the dimensions (by
    role), the contents code, the public regions in use those years and further selections (by
    label). Returns ``{(indicator id, table): resolved}`` for the snapshot sidecars.

    Raises ``ResolveError`` with the nearest candidates when a label is missing or ambiguous,
    and when a table has no figures for a year the catalogue gives it (a closed series ends
    earlier than the catalogue says, or a current table has not got the year yet).
    """
    metas: dict[str, dict] = {}
    out: dict[tuple[str, str], dict] = {}
    for ind in catalogue["indicators"]:
        for entry, table_years in wanted_tables(ind, years):
            table = entry["table"]
            if table not in metas:
                metas[table] = client.get_metadata(table)
            regions = [reg for reg in ind["regions"] if any(reg["years"]["from"] <= y <= reg["years"]["to"]
                                                             for y in table_years)]
            aliases = [*([] if entry.get("label") else ind.get("label_aliases") or []), *(entry.get("label_aliases") or [])]
            merged = {**entry, "id": ind["id"], "label_nb": ind["label_nb"], "regions": regions, "label_aliases": aliases}
            try:
                r = resolve_indicator(metas[table], merged, list(municipalities))
            except ResolveError as exc:
                raise ResolveError(f"tabell {table} ({ind['id']}): {exc}") from None
            have = {str(p)[:4] for p in r["periods"]}
            absent = [y for y in table_years if str(y) not in have]
            if absent:
                following = "Legg tabellen som fører serien videre til under tables: med years og change_nb" \
                    if entry["series"] == "closed" else "Tallene er kanskje ikke publisert ennå; hent et tidligere år"
                raise ResolveError(
                    f"tabell {table} har ikke tall for {', '.join(map(str, absent))} ({ind['id']}; tabellen har "
                    f"{r['periods'][0]}–{r['periods'][-1]}, {CATALOGUE_FILE} gir den "
                    f"{entry['years']['from']}–{entry['years'].get('to', '')}). {following}.")
            out[(ind["id"], table)] = {"indikator_id": ind["id"], **r}
    return out


# --- CLI ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``python -m scripts.data.kostra_client fetch``: fetch every catalogue entry (on request only)."""
    parser = argparse.ArgumentParser(
        prog="python -m scripts.data.kostra_client",
        description="Fetch KOSTRA snapshots from SSB. The build never runs this.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    fetch = sub.add_parser("fetch", help="fetch every entry of the KOSTRA catalogue")
    fetch.add_argument("--catalogue", type=Path, default=paths.KOSTRA_CATALOGUE)
    fetch.add_argument("--years", type=int, nargs="+", help="years to fetch (default: year and years in config/config.yaml)")
    fetch.add_argument("--dest", type=Path, default=paths.RAW_KOSTRA, help="snapshot folder")
    fetch.add_argument("--offices", type=Path, default=paths.PRIVATE_OFFICES)
    fetch.add_argument("--dry-run", action="store_true", help="print the plan, send nothing")
    fetch.add_argument("--base-url", default=os.environ.get("NAVRAPPORT_SSB_URL") or BASE_URL,
                       help="PxWebApi v2 root (default SSB's; tests point it at a local stand-in)")
    args = parser.parse_args(argv)

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        catalogue = load_catalogue(args.catalogue)
        offices = load_private_offices(args.offices)
    except ConfigError as exc:
        say(f"kostra_client: feil: {exc}")
        return 2
    secrets = sorted(set(offices.values()))
    years = args.years or default_years()
    client = SsbClient(base_url=args.base_url, log=lambda m: say(_mask(m, secrets)))
    resolved: dict[tuple[str, str], dict] = {}
    try:
        if not args.dry_run:
            client.apply_server_config()
            resolved = resolve_catalogue(client, catalogue, secrets, years)
        planned = plan_catalogue_requests(catalogue, years, offices, resolved)
    except (KostraApiError, ResolveError) as exc:
        say(f"kostra_client: stopper før henting: {_mask(_one_line(str(exc)), secrets)}")
        return 1
    for (ind_id, table), r in resolved.items():
        say(f"{ind_id}: tabell {table} (oppdatert {r['table_updated']}), region {r['dimensions']['region']}, "
            f"innhold {r['content']['code']} «{r['content']['label']}», regioner "
            + ", ".join(f"{x['code']} «{x['label']}»" for x in r["regions"]))
    failures = 0
    for number, request in enumerate(planned, start=1):
        prefix = f"[{number}/{len(planned)}] {request.describe()}"
        if args.dry_run:
            say(f"{prefix}: ville hentet")
            continue
        dest = args.dest / PRIVATE_SUBDIR if request.private else args.dest
        try:
            if request.private:
                _ensure_private_dir(dest)
            for part in client.plan(request.table, request.value_codes):
                path = fetch_to_snapshot(client, request.table, part, dest,
                                         resolved=resolved.get((request.indicator_id, request.table)),
                                         mask=secrets if request.private else ())
                say(f"{prefix}: ok -> {path}")
        except (KostraApiError, OSError) as exc:
            failures += 1
            say(f"{prefix}: FEILET: {_mask(_one_line(str(exc)), secrets)}")
    if failures:
        say(f"kostra_client: {failures} av {len(planned)} forespørsler feilet; de gamle uttrekkene er beholdt")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(cli.entry(main))
