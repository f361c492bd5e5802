"""The documented fetch against the local stand-in for SSB (tests/fixtures/ssb_standin.py, which
answers as the real service does: KOSTRA-shaped metadata with role, both code-list spellings,
sparse status, x-ratelimit headers, real error bodies), for 2014 and for 2022, a year after the
change of table; then the 2022 edition built offline from what it stored, with the series
break marked. Everything is made up (oppdiktede testdata); 9901–9906 are not real municipality
numbers."""
import json
import re
import sys

import pytest

from tests.conftest import ROOT, copy_repo, run_snakemake

sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
from ssb_standin import MUNICIPALITIES, StandIn  # noqa: E402

pytestmark = pytest.mark.e2e
FETCH = ("fetch_kostra", "--config", "fetch=true", "year=2022", "years=[2014,2022]")


def sidecars(repo, private):
    folder = repo / "data/raw/kostra" / ("private" if private else "")
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.meta.json"))]


@pytest.fixture(scope="module")
def fetched(tmp_path_factory):
    repo = copy_repo(tmp_path_factory.mktemp("standin"))
    mapping = "".join(f'  {k}: "{n}"\n' for n, k in MUNICIPALITIES.items())
    (repo / "config/offices.private.yaml").write_text("offices:\n" + mapping, encoding="utf-8")
    # Made-up målekort figures for 2022: the 2015 test file with its year changed.
    src = (ROOT / "tests/fixtures/year2015_ulike/malekort_2015.csv").read_text(encoding="utf-8")
    (repo / "data/raw/malekort/2022").mkdir(parents=True)
    (repo / "data/raw/malekort/2022/malekort_2022.csv").write_text(src.replace(";2015;", ";2022;"), encoding="utf-8")
    assert not (repo / "data/raw/kostra").exists()
    with StandIn(max_cells=4) as ssb:
        ssb.fail_next(503, headers={"Retry-After": "1"})  # worth retrying: the fetch waits and goes on
        first = run_snakemake(repo, "--cores", "1", *FETCH, f"ssb_url={ssb.url}")
        first_requests = list(ssb.requests)
        before = {m["table"]: m["resolved"]["table_updated"] for m in sidecars(repo, private=True)}
        ssb.update()
        second = run_snakemake(repo, "--cores", "1", *FETCH, f"ssb_url={ssb.url}")
    return {"repo": repo, "first": first, "second": second, "requests": first_requests, "before": before}


def test_documented_fetch_runs_against_the_stand_in(fetched):
    for proc in (fetched["first"], fetched["second"]):
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    paths = [p for p, _ in fetched["requests"]]
    assert paths[0].endswith("/config")
    assert {p.split("/")[-2] for p in paths if p.endswith("/metadata")} == {"04906", "13995", "12362"}
    statuses = [s for p, s in fetched["requests"] if p.endswith("/data")]
    assert statuses[0] == 503 and all(s == 200 for s in statuses[1:])  # waited, then went on


def test_every_indicator_is_resolved_by_role_for_2014_and_2022(fetched):
    resolved = {(m["resolved"]["indikator_id"], m["table"]): m["resolved"] for m in sidecars(fetched["repo"], False)}
    assert sorted(resolved) == [("netto_driftsutgifter_sosialtjenesten", "04906"),
                                ("netto_driftsutgifter_sosialtjenesten", "12362"),
                                ("sosialhjelpsmottakere_andel", "04906"), ("sosialhjelpsmottakere_andel", "13995")]
    for r in resolved.values():
        assert r["dimensions"] == {"region": "KOKkommuneregion0000", "contents": "ContentsCode", "time": "Tid"}
    assert resolved[("sosialhjelpsmottakere_andel", "04906")]["content"] == {
        "code": "KOSandelsosial0000", "label": "Andelen sosialhjelpsmottakere i forhold til innbyggere",
        "unit": {"base": "prosent", "decimals": 1}}
    assert [r["code"] for r in resolved[("sosialhjelpsmottakere_andel", "04906")]["regions"]] == ["EAK", "EKG13"]
    # KOSTRA group 13 meant something else from 2020: not asked for 2022.
    assert [r["code"] for r in resolved[("sosialhjelpsmottakere_andel", "13995")]["regions"]] == ["EAK"]
    net = resolved[("netto_driftsutgifter_sosialtjenesten", "12362")]
    assert net["select"] == {"KOKfunksjon0000": "FGSOS", "KOKart0000": "AGD2"}
    assert net["content"]["code"] == "KOSbelopinnbygge0000"
    assert {m["resolved"]["periods"][0] for m in sidecars(fetched["repo"], False) if m["table"] == "13995"} == {"2020"}


def test_private_selection_is_split_and_kept_out_of_messages(fetched):
    private = sidecars(fetched["repo"], private=True)
    # 6 made-up municipalities × 1 content × 1 year = 6 cells > maxDataCells 4: two parts per table and indicator.
    assert len(private) == 2 * 4
    out = fetched["first"].stdout + fetched["first"].stderr
    assert not any(n in out for n in MUNICIPALITIES)
    assert all("****" in m["url"] and not any(n in m["url"] for n in MUNICIPALITIES) for m in private)


def test_an_updated_table_replaces_the_snapshot_and_its_date(fetched):
    after = {m["table"]: m["resolved"]["table_updated"] for m in sidecars(fetched["repo"], private=True)}
    assert set(fetched["before"].values()) == {"2023-06-15T06:00:00Z"}
    assert set(after.values()) == {"2023-09-01T06:00:00Z"}


def test_2022_edition_is_built_offline_from_both_tables_with_the_break_marked(fetched):
    repo = fetched["repo"]
    proc = run_snakemake(repo, "--config", "year=2022", "years=[2014,2022]")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    res = json.loads((repo / "build/results/resultater.json").read_text(encoding="utf-8"))
    best = {i["id"]: i["beste"] for i in res["indikatorer"]}
    assert best["sosialhjelpsmottakere_andel"] == ["C"] and best["netto_driftsutgifter_sosialtjenesten"] == ["D"]
    kilder = {(r["aar"], r["indikator_id"]): r.get("kilde") for r in res["tidsserie"] if r["kontor"] == "A"}
    assert kilder[(2022, "sosialhjelpsmottakere_andel")].startswith("SSB, Statistikkbanken tabell 13995, oppdatert 01.09.2023")
    assert kilder[(2022, "netto_driftsutgifter_sosialtjenesten")].startswith("SSB, Statistikkbanken tabell 12362")
    # Each change of table inside 2014–2022 is a series break, named by its tables.
    assert [(b["aar"], b["tabeller"]) for b in res["serieskifter"]["sosialhjelpsmottakere_andel"]] == [
        (2015, ["04906", "12210"]), (2022, ["12210", "13995"])]
    assert [(b["aar"], b["tabeller"]) for b in res["serieskifter"]["netto_driftsutgifter_sosialtjenesten"]] == [
        (2015, ["04906", "12362"])]
    # The thesis's published 2014 figures stay the reference; fetched 2014 figures are compared.
    diffs = {(d["kontor"], d["indikator_id"]): d for d in res["hentet_mot_publisert"] if d["aar"] == 2014}
    assert (diffs[("A", "sosialhjelpsmottakere_andel")]["publisert"],
            diffs[("A", "sosialhjelpsmottakere_andel")]["hentet"]) == (3.6, pytest.approx(3.9))
    html = (repo / "build/report.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", html)
    assert "serieskifte fra tabell 04906 til 12210" in text  # the figure's alt text
    assert "Serieskifte for" in text and "→ serieskifte →" in text  # the change table and its note
    assert (repo / "build/report.pdf").is_file()
