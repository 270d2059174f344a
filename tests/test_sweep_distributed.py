"""Sweeps on a dask.distributed cluster give the same numbers as on this machine."""

from __future__ import annotations

import numpy as np
import pytest

import spinesim
from spinesim import Grid

distributed = pytest.importorskip("distributed", reason="needs the sweep extra (dask)")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster


def test_local_cluster_sweep_matches_the_local_run(cluster, tmp_path):
    design = Grid(angle_deg=[20.0, 50.0, 80.0], friction_static=[0.3, 0.6])
    fixed = {"ramp_s": 5.0, "hold_s": 20.0}
    local = spinesim.sweep(design, fixed=fixed, batch_size=2, progress=False)
    with distributed.Client(cluster) as client, distributed.get_task_stream(client) as tasks:
        remote = spinesim.sweep(
            design, fixed=fixed, batch_size=2, client=client, progress=False,
            out=tmp_path / "remote.zarr",
        )  # fmt: skip
    # the 3 batches ran as tasks on the cluster's workers (counting the workers did not
    # show that the sweep used them rather than this process)
    ran = [task for task in tasks.data if "run_batch" in task["key"]]
    assert len(ran) == 3
    assert {task["worker"] for task in ran} <= set(cluster.scheduler_info["workers"])
    for name in ("end_axial_force", "end_gap_change", "peak_spine_length_change", "status"):
        np.testing.assert_array_equal(remote[name].values, local[name].values)


def test_scheduler_address_is_accepted(cluster):
    ds = spinesim.sweep(
        Grid(angle_deg=[40.0]), fixed={"ramp_s": 5.0, "hold_s": 10.0},
        client=cluster.scheduler_address, progress=False,
    )  # fmt: skip
    assert int(ds["status"].item()) == 0


@pytest.mark.parametrize("address", ["garbage", "foo://bar:1", "tcp://127.0.0.1:abc"])
def test_a_malformed_scheduler_address_is_refused_at_once(address):
    """A malformed address was handed to dask, whose half-built client then hung for a
    minute at exit; it is refused before any connection, naming the parameter."""
    import time

    start = time.perf_counter()
    with pytest.raises(spinesim.ParameterError, match=r"client = .*cannot connect"):
        spinesim.sweep(Grid(angle_deg=[20.0]), client=address, progress=False)
    assert time.perf_counter() - start < 5.0
