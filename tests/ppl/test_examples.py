"""arignote.ppl.examples: the coal-mining data and both its models (the seed's glm_linear is in test_glm)."""
import numpy as np
import pytest
from scipy import optimize, stats

from test_model_seed import disasters_data as seed_data, scipy_marginal

import arignote.ppl as pm
from arignote.ppl.examples import coal_mining


def test_data_is_the_seed_s():
    np.testing.assert_array_equal(coal_mining.disasters_data, seed_data)
    assert coal_mining.years == 111 and coal_mining.disasters_data.sum() == 191


def test_marginal_model_matches_scipy_and_its_map():
    m = coal_mining.marginal_model()
    assert m is not coal_mining.marginal_model()  # a fresh model per call
    assert [v.name for v in m.free_RVs] == ["early_mean_log__", "late_mean_log__"]
    assert [p.name for p in m.potentials] == ["disasters"]
    for e, l_ in [(3.0, 1.0), (0.4, 2.5)]:
        pt = {"early_mean_log__": np.log(e), "late_mean_log__": np.log(l_)}
        assert np.isclose(m.logp(pt), scipy_marginal(e, l_), rtol=1e-10)
    best = optimize.minimize(lambda z: -scipy_marginal(*np.exp(z)), np.log([2.0, 1.0]), method="Nelder-Mead",
                             options={"xatol": 1e-8, "fatol": 1e-10})
    with m:
        est = pm.find_MAP(progressbar=False)
    np.testing.assert_allclose(np.log([est["early_mean"], est["late_mean"]]), best.x, atol=1e-4)


def test_original_model_logp_matches_scipy():
    m = coal_mining.original_model()
    assert [v.name for v in m.free_RVs] == ["switchpoint", "early_mean_log__", "late_mean_log__"]
    assert [v.name for v in m.observed_RVs] == ["disasters"]
    pt = {"switchpoint": np.array(40), "early_mean_log__": np.log(3.0), "late_mean_log__": np.log(1.0)}
    rate = np.where(40 >= np.arange(111), 3.0, 1.0)
    want = (stats.randint.logpmf(40, 0, 112) + stats.expon.logpdf(3.0) + np.log(3.0) + stats.expon.logpdf(1.0)
            + stats.poisson.logpmf(seed_data, rate).sum())
    assert np.isclose(m.logp(pt), want, rtol=1e-12)


def test_readme_probabilistic_programming_section_runs(tmp_path, monkeypatch):
    """README's two models run as written (fewer draws), and the picture it shows is in docs/."""
    import re
    from pathlib import Path

    pytest.importorskip("arviz")
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    root = Path(__file__).resolve().parents[2]
    text = (root / "README.md").read_text()
    section = text.split("## Probabilistic programming", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 2
    ns = {}
    for block in blocks:
        exec(re.sub(r"pm\.sample\(\d+\)", "pm.sample(100, tune=100, cores=1, progressbar=False)", block), ns)
    assert set(ns["trace"].varnames) >= {"early_mean", "late_mean"}
    assert 2.0 < ns["trace"]["early_mean"].mean() < 4.5 and 0.5 < ns["trace"]["late_mean"].mean() < 1.5
    picture = re.search(r"!\[[^\]]*\]\((docs/[^)]+\.png)\)", section).group(1)
    data = (root / picture).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < 100_000
    import matplotlib.pyplot as plt

    plt.close("all")
