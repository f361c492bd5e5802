"""Office reports on a Slurm cluster: 20 made-up offices (oppdiktede testdata) built through
snakemake-executor-plugin-slurm on the one-node test cluster give the same bytes as a local build."""
import os
import re

import pytest

from tests.conftest import copy_repo, run_snakemake
from tests.test_cluster import SDE, slurm  # noqa: F401 (the one-node cluster fixture)
from tests.test_kontor_build import generate

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

CONFIG = ["kontor_data=build/oppdiktet/20", "kontor_years=[2013,2014]", "kontor_grupper=storrelse"]


def test_twenty_office_reports_through_slurm_match_a_local_build(slurm, tmp_path):  # noqa: F811
    builds = {}
    for name, args, extra in (("local", (), {}), ("slurm", ("--workflow-profile", "profiles/slurm"), slurm)):
        repo = copy_repo(tmp_path / name)
        generate(repo, 20, "build/oppdiktet/20")
        proc = run_snakemake(repo, "kontorrapporter", "--config", *CONFIG, *args,
                             env={"SOURCE_DATE_EPOCH": SDE, "PYTHONPATH": str(repo), **extra}, timeout=2400)
        assert proc.returncode == 0, f"{name} build failed:\n{proc.stderr[-5000:]}"
        builds[name] = (repo, proc.stdout + proc.stderr)

    (local, _), (cluster, out) = builds["local"], builds["slurm"]
    files = sorted((local / "build/kontorrapporter/20").glob("*.*"))
    assert len(files) == 40
    for f in files:
        assert (cluster / "build/kontorrapporter/20" / f.name).read_bytes() == f.read_bytes(), f.name
    # The shared tables and every office job went through Slurm; publishing ran locally.
    submitted = re.findall(r"submitted with SLURM jobid \d+", out)
    assert len(submitted) == 21, out[-3000:]
    assert len(re.findall(r"^rule kontor_rapport:", out, re.M)) == 20
    assert len(re.findall(r"^localrule kontor_publish:", out, re.M)) == 20
    assert os.path.isdir(cluster / ".snakemake" / "slurm_logs" / "rule_kontor_rapport")
