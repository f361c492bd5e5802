"""The documented fetch against a local stand-in for SSB's PxWebApi v2 (tests/fixtures/
ssb_standin.py: /config, metadata, JSON-stat 2.0 data, a 429 with Retry-After, problem+json
errors, a selection split over several requests, an updated table), then a new-year edition
built from what it stored, with no hand-typed KOSTRA figure. Everything is made up
(oppdiktede testdata); 9901–9906 are not real municipality numbers."""
import json
import shutil
import sys

import pytest

from tests.conftest import ROOT, copy_repo, run_snakemake

sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
from ssb_standin import MUNICIPALITIES, StandIn  # noqa: E402

pytestmark = pytest.mark.e2e
FETCH = ("fetch_kostra", "--config", "fetch=true", "year=2015", "years=[2014,2015]")


def sidecars(repo, private):
    folder = repo / "data/raw/kostra" / ("private" if private else "")
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.meta.json"))]


@pytest.fixture(scope="module")
def fetched(tmp_path_factory):
    repo = copy_repo(tmp_path_factory.mktemp("standin"))
    mapping = "".join(f'  {k}: "{n}"\n' for n, k in MUNICIPALITIES.items())
    (repo / "config/offices.private.yaml").write_text("offices:\n" + mapping, encoding="utf-8")
    (repo / "data/raw/malekort/2015").mkdir(parents=True)
    shutil.copy(ROOT / "tests/fixtures/year2015_ulike/malekort_2015.csv", repo / "data/raw/malekort/2015/")
    assert not (repo / "data/raw/kostra").exists() and not (repo / "data/raw/kostra_kontor/2015.csv").exists()
    with StandIn(max_cells=4) as ssb:
        first = run_snakemake(repo, "--cores", "1", *FETCH, f"ssb_url={ssb.url}")
        first_requests = list(ssb.requests)
        before = {m["table"]: m["resolved"]["table_updated"] for m in sidecars(repo, private=True)}
        ssb.update()
        second = run_snakemake(repo, "--cores", "1", *FETCH, f"ssb_url={ssb.url}")
        # A table the catalogue does not have: the client reports SSB's problem+json.
        from scripts.data.kostra_client import KostraApiError, SsbClient
        with pytest.raises(KostraApiError) as missing:
            SsbClient(base_url=ssb.url, sleep=lambda s: None).get_metadata("99999")
    return {"repo": repo, "first": first, "second": second, "requests": first_requests,
            "before": before, "missing": str(missing.value)}


def test_documented_fetch_runs_against_the_stand_in(fetched):
    for proc in (fetched["first"], fetched["second"]):
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    paths = [p for p, _ in fetched["requests"]]
    assert paths[0].endswith("/config") and any(p.endswith("/metadata") for p in paths)
    statuses = [s for p, s in fetched["requests"] if p.endswith("/data")]
    assert statuses[0] == 429 and all(s == 200 for s in statuses[1:])  # waited, then went on


def test_codes_resolved_from_metadata_are_recorded_in_the_sidecars(fetched):
    metas = sidecars(fetched["repo"], private=False)
    by_ind = {m["resolved"]["indikator_id"]: m["resolved"] for m in metas}
    assert by_ind["sosialhjelpsmottakere_andel"]["content"] == {
        "code": "OPPDAndel", "label": "Andelen sosialhjelpsmottakere i forhold til innbyggere"}
    assert by_ind["netto_driftsutgifter_sosialtjenesten"]["content"]["code"] == "OPPDNetto"
    assert [r["code"] for r in by_ind["sosialhjelpsmottakere_andel"]["regions"]] == ["EAK", "EKG13"]


def test_private_selection_is_split_and_kept_out_of_messages(fetched):
    private = sidecars(fetched["repo"], private=True)
    # 6 made-up municipalities × 1 content × 2 years = 12 cells > maxDataCells 4: several parts.
    assert len(private) >= 2 * 3
    out = fetched["first"].stdout + fetched["first"].stderr
    assert not any(n in out for n in MUNICIPALITIES)
    # The URL goes into the provenance appendix: masked in private sidecars.
    assert all("****" in m["url"] and not any(n in m["url"] for n in MUNICIPALITIES) for m in private)


def test_an_updated_table_replaces_the_snapshot_and_its_date(fetched):
    after = {m["table"]: m["resolved"]["table_updated"] for m in sidecars(fetched["repo"], private=True)}
    assert set(fetched["before"].values()) == {"2016-06-15T06:00:00Z"}
    assert set(after.values()) == {"2016-09-01T06:00:00Z"}


def test_unknown_table_reports_the_problem_json(fetched):
    assert "404" in fetched["missing"] and "Non-existent table" in fetched["missing"]


def test_edition_is_built_from_the_fetched_figures(fetched):
    repo = fetched["repo"]
    proc = run_snakemake(repo, "--config", "year=2015", "years=[2014,2015]")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    res = json.loads((repo / "build/results/resultater.json").read_text(encoding="utf-8"))
    best = {i["id"]: i["beste"] for i in res["indikatorer"]}
    assert best["sosialhjelpsmottakere_andel"] == ["C"] and best["netto_driftsutgifter_sosialtjenesten"] == ["D"]
    kilder = {r["kilde"] for r in res["tidsserie"] if r["aar"] == 2015 and r["indikator_id"] == "sosialhjelpsmottakere_andel"}
    assert kilder == {"SSB, Statistikkbanken tabell 04688, oppdatert 01.09.2016, hentet "
                      + next(iter(kilder)).rsplit("hentet ", 1)[1]}
    # The thesis's published 2014 figures stay the reference; fetched 2014 figures are compared.
    diffs = {(d["kontor"], d["indikator_id"]): d for d in res["hentet_mot_publisert"] if d["aar"] == 2014}
    assert diffs[("A", "sosialhjelpsmottakere_andel")]["publisert"] == 3.6
    assert diffs[("A", "sosialhjelpsmottakere_andel")]["hentet"] == pytest.approx(3.8)
    assert (repo / "build/report.html").is_file() and (repo / "build/report.pdf").is_file()
