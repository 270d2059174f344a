"""Body poses and drawing geometry in a result: simulated, saved and read back."""

from __future__ import annotations

import numpy as np
import pytest

import spinesim
from spinesim.core import layout as L
from spinesim.result import POSE_VARIABLES


@pytest.fixture(scope="module")
def result(default_model) -> spinesim.Result:
    protocol = spinesim.Protocol.inversion(30, ramp_s=3, hold_s=3)
    return spinesim.simulate(protocol, model=default_model, output_interval_s=1.0)


def test_poses_are_the_simulated_states(result, default_model):
    """At t = 0 the poses are the model's settled start state, body by body."""
    assert result.bodies == default_model.body_names
    assert result.body_pose.shape == (result.time_s.size, default_model.n_body, 3)
    start = default_model.y0.reshape(default_model.n_body, L.BLOCK)
    np.testing.assert_array_equal(result.body_pose[0], start[:, [L.S_X, L.S_Y, L.S_PHI]])
    assert result.device_name == "table"


def test_later_poses_give_the_reported_disc_space_changes(result, default_model):
    """Through the session the poses are the states the outputs came from: the middle
    disc-space change computed from them (the joints' kinematics) is the reported one."""
    from spinesim.core.mechanics import body_trig, joint_deformation

    model = default_model
    k = result.index_at(result.attrs["hold_end_s"])
    openings = []
    for index in (0, k):
        y = np.zeros(model.y0.size)
        blocks = y.reshape(model.n_body, L.BLOCK)
        blocks[:, [L.S_X, L.S_Y, L.S_PHI]] = result.body_pose[index]
        cs = body_trig(y, model.n_body)
        openings.append(
            [joint_deformation(y, j, cs, model.joint)[0] for j in range(model.n_body - 1)]
        )
    change_mm = 1e3 * (np.array(openings[1]) - np.array(openings[0]))
    for j, level in enumerate(result.levels):
        expected = change_mm[model.level_index(level)]
        assert result.gap_change[k, j, 1] == pytest.approx(expected, abs=1e-9)
    assert np.abs(change_mm).max() > 0.05  # the session did move the spine (mm)


def test_geometry_is_the_models(result, default_model):
    g = result.attrs["geometry"]
    np.testing.assert_array_equal(g["height"], default_model.joint[:, L.J_HEIGHT])
    np.testing.assert_array_equal(g["depth"], default_model.joint[:, L.J_DEPTH])
    assert g["joint_names"] == list(default_model.joint_names)
    assert g["anchor_x"] == default_model.body[0, L.B_ANCHOR_X]


def test_round_trip_keeps_poses(tmp_path, result):
    result.to_netcdf(tmp_path / "r.nc")
    loaded = spinesim.load_result(tmp_path / "r.nc")
    assert loaded.bodies == result.bodies
    np.testing.assert_array_equal(loaded.body_pose, result.body_pose)
    assert loaded.attrs["geometry"] == result.attrs["geometry"]
    ds = result.to_xarray()
    assert ds["body_phi"].dims == ("time", "body")
    assert {ds[n].attrs["units"] for n in POSE_VARIABLES} == {"m", "rad"}


def test_result_without_poses_still_loads(tmp_path, result):
    """Files written before poses existed load; they have no body_pose."""
    path = tmp_path / "old.nc"
    ds = result.to_xarray().drop_vars([*POSE_VARIABLES, "body"])
    ds.to_netcdf(path, engine="h5netcdf")
    loaded = spinesim.load_result(path)
    assert loaded.body_pose is None and loaded.bodies == ()
    np.testing.assert_array_equal(loaded.axial_force, result.axial_force)
    old = loaded.to_xarray()
    assert "body" not in old.coords
