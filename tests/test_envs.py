"""The conda environment pins the same versions as requirements.txt (conda cannot run here)."""
import yaml

from scripts import paths


def pins(lines):
    return {line.split("==")[0].lower().replace("_", "-"): line.split("==")[1] for line in lines if "==" in line}


def test_conda_env_matches_pip_pins():
    req = pins(line.strip() for line in (paths.ROOT / "requirements.txt").read_text().splitlines()
               if line.strip() and not line.startswith("#"))
    env = yaml.safe_load((paths.ROOT / "envs" / "navrapport.yaml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pins(pip) == req


def test_lock_file_contains_every_direct_pin():
    lock = pins(line.strip() for line in (paths.ROOT / "requirements.lock").read_text().splitlines())
    req = pins(line.strip() for line in (paths.ROOT / "requirements.txt").read_text().splitlines()
               if line.strip() and not line.startswith("#"))
    for name, version in req.items():
        assert lock.get(name) == version, name


def test_cluster_pins_agree_with_the_lock_file():
    """The Slurm plugin is installed on top of requirements.lock; what it pulls in must not
    move a locked package (pip would otherwise change the build's environment)."""
    cluster = pins(line.strip() for line in (paths.ROOT / "requirements-cluster.txt").read_text().splitlines()
                   if line.strip() and not line.startswith("#"))
    lock = pins(line.strip() for line in (paths.ROOT / "requirements.lock").read_text().splitlines())
    assert "snakemake-executor-plugin-slurm" in cluster
    assert not set(cluster) & set(lock), "cluster-only packages must stay out of the main lock"
