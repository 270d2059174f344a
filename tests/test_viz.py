"""3D pictures: meshes that follow the simulated bodies, colours from the result, pictures
against stored references, animations, the slider window and bad input."""

from __future__ import annotations

import dataclasses
import os

import numpy as np
import pytest

import spinesim
from spinesim import ParameterError
from spinesim.core import layout as L
from spinesim.viz import devices
from spinesim.viz.geometry import (
    RING_POINTS,
    disc_spans,
    magnified_poses,
    table_points,
    to_room,
)
from spinesim.viz.scene import COLOR_BY, Scene
from spinesim.viz.vertebra import Skeleton
from tests._rendering import (
    RMS_TOLERANCE,
    assert_matches_reference,
    drawn_fraction,
    require_rendering,
    rms_difference,
)

UPDATE = os.environ.get("SPINESIM_UPDATE_REFERENCE") == "1"
SIZE = (400, 300)


@pytest.fixture(scope="module")
def result(default_model) -> spinesim.Result:
    """60 deg head-down: ramp 5 s, hold 10 s, return 5 s, saved every second."""
    protocol = spinesim.Protocol.inversion(60, ramp_s=5, hold_s=10)
    return spinesim.simulate(protocol, model=default_model, output_interval_s=1.0)


@pytest.fixture(scope="module")
def scene(result) -> Scene:
    return Scene(result)


# ------------------------------------------------------------------- geometry (no GL)
def test_magnify_scales_the_disc_spans_and_keeps_the_bodies_on_the_backrest(result):
    """Every disc's opening and shear since t = 0 grows k times; the bodies keep their
    angles, so the magnified chain stays on the backrest's side at 60 deg (magnifying the
    bending too put the head 0.24 m through it at x10)."""
    skel = Skeleton.from_attrs(result.bodies, result.attrs["geometry"])
    caudal, cranial = np.column_stack([skel.ax, skel.ay]), np.column_stack([skel.bx, skel.by])
    base, now = result.body_pose[0], result.body_pose[-6]
    np.testing.assert_array_equal(magnified_poses(now, base, 1.0, caudal, cranial), now)
    big = magnified_poses(now, base, 10.0, caudal, cranial)
    span0 = disc_spans(base, caudal, cranial)
    np.testing.assert_allclose(
        disc_spans(big, caudal, cranial) - span0,
        10.0 * (disc_spans(now, caudal, cranial) - span0),
        atol=1e-12,
    )
    np.testing.assert_array_equal(big[:, 2], now[:, 2])
    opening = disc_spans(now, caudal, cranial)[:, 0] - span0[:, 0]
    assert np.abs(opening).max() > 2e-4  # the session opens the discs visibly at x10
    lift = big[:, 1] - now[:, 1]  # away from the backrest (shear x10 lifts the neck a little)
    assert lift.min() > -0.01 and lift.max() < 0.06
    np.testing.assert_array_equal(big[0], now[0])  # the legs keep their true pose


def test_room_frame_tilts_head_down(result):
    """At +60 deg the head end of the table is below the pivot and gravity acts along +x
    of the table, as in the model: x = (1, 0) in the table maps to (cos 60, -sin 60)."""
    tip = to_room(np.array([[1.0, 0.0, 0.0]]), 60.0, (0.0, 0.0), 1.0)[0]
    np.testing.assert_allclose(tip, [0.5, 0.0, 1.0 - np.sqrt(3) / 2], atol=1e-12)


def test_vertebrae_are_scaled_per_level(scene):
    """Each vertebral body is as tall as the model's body between its joint attachments,
    and a lumbar vertebra is larger than a cervical one."""
    skel, bones = scene.skeleton, scene.parts["bones"]

    def extent(name):
        local = bones.local[bones.owner == skel.index(name)]
        return local.max(axis=0) - local.min(axis=0)

    for name in ("C4", "T8", "L3"):
        i = skel.index(name)
        height, depth, centre_v = skel.vertebral_body(i)
        body = bones.local[(bones.owner == i) & (np.abs(bones.local[:, 2]) < 1e-9)]
        assert body[:, 0].max() == pytest.approx(height / 2)  # top endplate
        assert body[:, 1].max() == pytest.approx(centre_v + depth / 2)  # anterior wall
        assert body[:, 0].min() <= -height / 2 + 1e-12
    assert np.all(extent("L3") > extent("C4"))
    assert extent("L3")[0] > 0.027 * 0.95  # L3 body height, 27 mm at reference stature


def test_discs_stretch_with_the_simulated_disc_height(result, scene):
    """The disc mesh's end rings ride on the two bodies: their centres' distance along the
    joint axis is the result's middle disc height at every time."""
    discs = scene.parts["discs"]
    n = RING_POINTS  # each disc: lower ring, upper ring, lower and upper cap centres
    for k in (0, result.time_s.size // 2):
        pts = table_points(discs, result.body_pose[k])
        for level in ("L3-L4", "T6-T7"):
            lv = result.levels.index(level)
            first = lv * (2 * n + 2)
            bottom, top = pts[first + 2 * n], pts[first + 2 * n + 1]  # cap centres
            j = scene.skeleton.joints.index(level)
            phi = 0.5 * (result.body_pose[k, j, 2] + result.body_pose[k, j + 1, 2])
            height_mm = 1e3 * ((top - bottom)[:2] @ [np.cos(phi), np.sin(phi)])
            assert height_mm == pytest.approx(result.disc_height[k, lv], abs=1e-9)


def test_disc_colours_follow_the_result(result, scene):
    """Anterior points take the anterior disc-space change, posterior the posterior one."""
    k = result.time_s.size // 2
    values = scene.frame(k).disc_values
    discs = scene.parts["discs"]
    lv = result.levels.index("L4-L5")
    on_level = scene._disc_level == lv
    for side, col in ((1.0, 0), (0.0, 1), (-1.0, 2)):
        pick = on_level & np.isclose(discs.side, side)
        np.testing.assert_allclose(values[pick], result.gap_change[k, lv, col])
    pressure = Scene(result, color_by="pressure").frame(k).disc_values
    np.testing.assert_allclose(pressure[on_level], result.pressure[k, lv])


def test_readout_shows_lumbar_values(result, scene):
    k = result.index_at(15.0)
    frame = scene.frame(k)
    lv = result.levels.index("L3-L4")
    assert f"{result.gap_change[k, lv, 1]:+8.2f}" in frame.readout
    assert frame.angle_deg == pytest.approx(60.0)
    assert "deg" in scene.headline(frame)


def test_magnification_is_labelled(result):
    assert Scene(result).magnify_label == ""
    assert "x10" in Scene(result, magnify=10).magnify_label


def test_devices_by_name(result):
    """Every device is drawn; one without a drawing draws none instead of failing."""
    assert "device" in Scene(result).parts
    for name in (*spinesim.device.DEVICES, "chair"):
        attrs = {**result.attrs, "device": {**result.attrs["device"], "type": name}}
        other = dataclasses.replace(result, attrs=attrs)
        assert ("device" in Scene(other).parts) is (name != "chair"), name
    assert "device" not in Scene(result, device=False).parts


@pytest.mark.parametrize("device", [spinesim.GravityBoots(), spinesim.HipBench()])
def test_a_guide_carries_the_body_on_the_ramps_of_a_device_without_a_backrest(device):
    """Lying at the start a board under the whole body shows the guide (a frame or a
    helper) that the model's backrest stands for; it fades with its share of the support
    over the ramp (half of it at 45 deg) and is gone in the hang, while the body lies on
    it. The outline is drawn at the skin's unloaded depth, so where the body presses into
    the guide it dips below the board's surface (y = 0) by up to the model's deepest
    soft-tissue indentation at the ramp's middle (the pelvis: 3.0 cm), never further."""
    protocol = spinesim.Protocol.inversion(90, ramp_s=20, hold_s=10)
    result = spinesim.simulate(protocol, device=device, output_interval_s=1.0)
    scene = Scene(result)
    assert (
        "guide" in scene.parts
        and "guide"
        not in Scene(
            spinesim.simulate(protocol, device=spinesim.InversionTable(), output_interval_s=1.0)
        ).parts
    )
    shares = {t: scene.frame(result.index_at(t)).guide for t in (0.0, 10.0, 25.0)}
    assert shares[0.0] == 1.0 and shares[25.0] == 0.0
    assert shares[10.0] == pytest.approx(0.5, abs=0.02)
    k = result.index_at(10.0)
    table_y = table_points(scene.parts["outline"], result.body_pose[k])[:, 1]
    model = spinesim.spine_model(device=device, settle=False)
    _, y, phi = result.body_pose[k].T
    local_x, local_y = model.body[:, L.B_CONTACT_X], model.body[:, L.B_CONTACT_Y]
    indented = y + np.sin(phi) * local_x + np.cos(phi) * local_y  # the contact points
    assert -0.04 < indented.min() < -0.01
    assert table_y.min() > indented.min() - 0.002


@pytest.fixture(scope="module")
def traction_results() -> dict[str, spinesim.Result]:
    """A 300 N pull for 5 s lying supine, prone and supine on a split table."""
    protocol = spinesim.Protocol.traction(300, ramp_s=2, hold_s=3)
    devices = {
        "supine": spinesim.TractionTable(),
        "prone": spinesim.TractionTable(position="prone"),
        "split": spinesim.TractionTable(split_table=True),
    }
    return {k: spinesim.simulate(protocol, device=d) for k, d in devices.items()}


@pytest.mark.parametrize("position", ["supine", "prone"])
def test_the_body_lies_on_the_traction_table(traction_results, position):
    """Supine and prone alike (the model lies prone as a mirror image, the table on its
    anterior side), the trunk's skin is drawn on the board's top, pressed into it as deep as
    the model's deepest contact point, and the spine lies above the board."""
    result = traction_results[position]
    scene = Scene(result)
    frame, skeleton = scene.frame(0), scene.skeleton
    top = devices.PIVOT_HEIGHT  # the board's top is the model's table plane, y = 0
    assert np.any(np.isclose(frame.points["device"][:, 2], top))
    _, y, phi = result.body_pose[0].T
    contact_y = y + np.sin(phi) * skeleton.contact_x + np.cos(phi) * skeleton.contact_y
    side = -1.0 if position == "prone" else 1.0  # spinesim.core.mechanics.table_side
    trunk = [i for i in range(1, len(skeleton.bodies) - 1)]  # pelvis to C1: not legs, head
    pressed_in = np.max(-side * contact_y[trunk])  # m
    skin = frame.points["outline"][np.isin(scene.parts["outline"].owner, trunk), 2].min()
    # within 1 cm: the pelvis touches 1 cm caudal to its outline ring, at its ischia
    np.testing.assert_allclose(skin, top - pressed_in, atol=0.01)
    lumbar = np.isin(scene.parts["bones"].owner, [skeleton.index(f"L{k}") for k in range(1, 6)])
    assert frame.points["bones"][lumbar, 2].min() > top


@pytest.mark.parametrize("position", ["supine", "prone"])
def test_traction_belts_ride_on_the_pelvis_and_the_harness_vertebra(traction_results, position):
    """The belts ride on their bodies and, as fastened at t = 0, run across the table (each
    ring in a plane of constant table x), prone as supine."""
    result = traction_results[position]
    scene = Scene(result)
    belts = scene.parts["belts"]
    level = result.attrs["device"]["level"]
    assert set(np.unique(belts.owner)) == {scene.skeleton.index(b) for b in ("pelvis", level)}
    rings = scene.frame(0).points["belts"][:, 0].reshape(-1, RING_POINTS)  # room X
    np.testing.assert_allclose(np.ptp(rings, axis=1), 0.0, atol=1e-9)
    assert "belts" not in Scene(result, belts=False).parts


def test_a_split_table_is_split_at_its_level(traction_results):
    """The board is one piece under the whole body; on a split table two, with the gap at
    the split level's joint (L5-S1 by default)."""

    def sections(result):
        skeleton = Skeleton.from_attrs(result.bodies, result.attrs["geometry"])
        place = devices.Placement(skeleton, result.body_pose[0], result.attrs["device"])
        return devices.board_sections(place), place

    (whole,), place = sections(traction_results["supine"])
    x = traction_results["supine"].body_pose[0, :, 0]
    assert whole[0] < x.min() and whole[1] > x.max()
    (caudal, cranial), place = sections(traction_results["split"])
    split = place.joint_x(place.skeleton.joints.index("L5-S1"))
    assert caudal[0] == whole[0] and cranial[1] == whole[1]
    assert caudal[1] < split < cranial[0] and cranial[0] - caudal[1] < 0.05


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"color_by": "temperature"}, "color_by"),
        ({"magnify": 0.0}, "magnify"),
        ({"magnify": float("nan")}, "magnify"),
    ],
)
def test_scene_rejects_bad_options(result, options, match):
    with pytest.raises(ParameterError, match=match):
        Scene(result, **options)


def test_the_device_is_drawn_only_while_the_person_is_on_it(default_model):
    """Standing after the session, the person is no longer on the table: its parts are
    hidden (a standing body drawn inside the table's frame was the alternative)."""
    protocol = spinesim.Protocol.inversion(60, ramp_s=5, hold_s=10, after=spinesim.upright(0.01))
    result = spinesim.simulate(protocol, model=default_model, output_interval_s=1.0)
    scene = Scene(result)
    assert {"device", "stand"} <= scene.device_parts
    assert not scene.device_parts & {"bones", "discs", "outline"}
    on = [scene.frame(k).on_device for k in range(scene.n_frames)]
    assert on == [t <= protocol.device_end_s for t in result.time_s]
    assert on[0] and not on[-1]
    # standing beside the device first, then lying down onto it (the inserted lie-down)
    first_standing = spinesim.Protocol(
        (spinesim.Phase(20.0, -90.0, -90.0, kind="upright"), *protocol.phases)
    )
    assert first_standing.device_spans_s == ((20.0, 20.0 + protocol.device_end_s + 10.0),)
    late = Scene(spinesim.simulate(first_standing, model=default_model, output_interval_s=5.0))
    on = {float(late.result.time_s[k]): late.frame(k).on_device for k in range(late.n_frames)}
    assert not on[0.0] and not on[15.0] and on[20.0] and on[40.0] and not on[max(on)]
    in_bed = spinesim.Protocol((spinesim.Phase(10.0, 0.0, 0.0, kind="lying"),))
    assert in_bed.device_spans_s == ()
    bed = Scene(spinesim.simulate(in_bed, model=default_model, output_interval_s=5.0))
    assert not any(bed.frame(k).on_device for k in range(bed.n_frames))
    require_rendering()
    from spinesim.viz._pyvista import pyvista
    from spinesim.viz.scene import SceneActors

    plotter = pyvista().Plotter(off_screen=True, window_size=SIZE)
    try:
        actors = SceneActors(plotter, scene, 0)
        assert actors.device_actors and all(a.visibility for a in actors.device_actors)
        actors.show_frame(scene.n_frames - 1)
        assert not any(a.visibility for a in actors.device_actors)
    finally:
        plotter.close()


def test_hand_built_chain_is_drawn_as_rods():
    """A chain from ModelBuilder (no anatomy, no device) is drawn: a rod per body and its
    disc, no outline, no device; its level is read out."""
    b = spinesim.ModelBuilder()
    b.add_body("base", 1.0, 0.01, anchor_k=1e9, anchor_c=1e5, anchor_k_rot=1e8, anchor_c_rot=1e4)
    b.add_body("load", 10.0, 0.05)
    b.add_joint("disc", ax=0.05, bx=-0.05, height=0.01, depth=0.03, k_axial=1e6, c_axial=2e3)
    chain = spinesim.simulate(spinesim.Protocol.inversion(60, ramp_s=1, hold_s=1), model=b.build())
    scene = Scene(chain)
    assert set(scene.parts) == {"bones", "discs"}
    assert set(scene.parts["bones"].owner) == {0, 1}
    assert "disc" in scene.frame(chain.time_s.size - 1).readout


def test_result_without_poses_gets_a_clear_error(result):
    old = dataclasses.replace(result, body_pose=None, bodies=())
    with pytest.raises(ParameterError, match="no body poses"):
        Scene(old)


def test_skeleton_from_saved_geometry(tmp_path, result):
    result.to_netcdf(tmp_path / "r.nc")
    loaded = spinesim.load_result(tmp_path / "r.nc")
    a = Skeleton.from_attrs(result.bodies, result.attrs["geometry"])
    b = Skeleton.from_attrs(loaded.bodies, loaded.attrs["geometry"])
    np.testing.assert_array_equal(a.ax, b.ax)
    assert a.joints == b.joints


# ----------------------------------------------------------------------- pictures (GL)
@pytest.fixture(scope="module")
def side_picture(result) -> np.ndarray:
    require_rendering()
    from spinesim.viz import render

    return render(result, time_s=15.0, camera="side", window_size=SIZE)


def test_side_picture_matches_reference(side_picture):
    assert side_picture.shape == (SIZE[1], SIZE[0], 3)
    assert_matches_reference(side_picture, "side_60deg", update=UPDATE)


def test_lumbar_close_up_matches_reference(result):
    require_rendering()
    from spinesim.viz import render

    image = render(
        result, time_s=15.0, camera="lumbar", magnify=10, color_by="pressure", window_size=SIZE
    )
    assert_matches_reference(image, "lumbar_pressure_x10", update=UPDATE)


def test_comparison_fails_on_blank_or_wrong_pictures(result, side_picture):
    """The check is not blind: a blank picture, another camera or another time are caught."""
    from spinesim.viz import render

    blank = np.full_like(side_picture, 255)
    assert drawn_fraction(blank) == 0.0
    with pytest.raises(AssertionError, match="blank"):
        assert_matches_reference(blank, "side_60deg")
    oblique = render(result, time_s=15.0, camera="oblique", window_size=SIZE)
    horizontal = render(result, time_s=0.0, camera="side", window_size=SIZE)
    for wrong in (oblique, horizontal):
        assert rms_difference(wrong, side_picture) > 2 * RMS_TOLERANCE
        with pytest.raises(AssertionError, match="RMS"):
            assert_matches_reference(wrong, "side_60deg")


def test_png_written_whole(tmp_path, result):
    require_rendering()
    import imageio.v3 as iio

    image = result.plot.scene(tmp_path / "s.png", window_size=(200, 150), device=False)
    np.testing.assert_array_equal(iio.imread(tmp_path / "s.png")[..., :3], image)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.png"]


@pytest.mark.parametrize("suffix", [".gif", ".mp4"])
def test_animation_has_every_frame(tmp_path, result, suffix):
    require_rendering()
    import imageio.v3 as iio

    path = tmp_path / f"a{suffix}"
    result.plot.animation(path, frames=6, fps=5, window_size=(160, 128))
    frames = iio.imread(path, index=None)
    assert frames.shape[0] == 6
    assert frames.shape[1:3] == (128, 160)
    assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean() > 0.5  # it moves
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.mark.parametrize("suffix", [".gif", ".mp4"])
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_failed_animation_leaves_no_partial_file(tmp_path, result, monkeypatch, suffix, error):
    """A failure or an interruption after the first frame leaves the existing file as it was
    and no temporary file (the GIF writer, closed too late, used to write it again)."""
    require_rendering()
    import pyvista as pv

    path = tmp_path / f"a{suffix}"
    path.write_bytes(b"old")
    write_frame = pv.Plotter.write_frame
    calls = []

    def fail_second(plotter):
        calls.append(1)
        if len(calls) == 2:
            raise error("stopped (test)")
        write_frame(plotter)

    monkeypatch.setattr(pv.Plotter, "write_frame", fail_second)
    with pytest.raises(error, match="stopped"):
        result.plot.animation(path, frames=4, fps=5, window_size=(160, 128))
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    assert path.read_bytes() == b"old"


def test_side_by_side_shares_the_colour_range(result, default_model):
    require_rendering()
    from spinesim.viz import render_side_by_side

    steep = spinesim.simulate(
        spinesim.Protocol.inversion(80, ramp_s=5, hold_s=5),
        model=default_model,
        output_interval_s=1.0,
    )
    image = render_side_by_side([result, steep], window_size=(200, 150))
    assert image.shape == (150, 400, 3)
    assert drawn_fraction(image[:, :200]) > 0.02 and drawn_fraction(image[:, 200:]) > 0.02
    with pytest.raises(ParameterError, match="side by side"):
        render_side_by_side([result] * 5)


def test_side_by_side_panels_share_one_scale_and_name_their_session(result, traction_results):
    """An inclined table and a flat traction table, whose scenes differ in size, are drawn
    at one scale (the same metres across each panel's height), and each panel's title names
    the angle or, on traction, the pull."""
    require_rendering()
    from spinesim.viz.animate import _aim, _panels
    from spinesim.viz.scene import half_height_seen

    traction = traction_results["supine"]
    plotter, actors, camera = _panels([result, traction], None, (200, 150), {})
    try:
        _aim(plotter, actors, camera, [[0], [0]])
        heights = []
        for i in range(2):
            plotter.subplot(0, i)
            heights.append(half_height_seen(plotter.camera))
    finally:
        plotter.close()
    assert heights[0] == pytest.approx(heights[1], rel=1e-9)
    assert [a.title for a in actors] == ["table, 60 deg", "traction, 300 N"]


@pytest.mark.parametrize("camera", ["side", "oblique"])
def test_a_view_of_the_whole_scene_keeps_it_in_the_picture(camera):
    """Hanging 2 m tall from gravity boots, every point of the scene (boots to head) is
    drawn inside the picture's top and bottom margins and left of the colour bar."""
    require_rendering()
    from spinesim.viz._pyvista import plotter as new_plotter
    from spinesim.viz.scene import COLOUR_BAR_ROOM, SceneActors, scene_for, set_camera

    session = spinesim.Protocol.inversion(90, ramp_s=2, hold_s=2)
    boots = spinesim.simulate(session, device=spinesim.GravityBoots(), output_interval_s=1.0)
    scene = scene_for(boots, camera)
    frame = scene.frame(boots.time_s.size - 1)
    plotter = new_plotter(off_screen=True, window_size=(400, 300))
    try:
        SceneActors(plotter, scene, boots.time_s.size - 1)
        set_camera(plotter, scene, [frame], camera)
        renderer = plotter.renderer
        shown = []
        for point in np.concatenate([frame.points[n] for n in ("bones", "outline", "device")]):
            renderer.SetWorldPoint(*point, 1.0)
            renderer.WorldToDisplay()
            shown.append(renderer.GetDisplayPoint()[:2])
    finally:
        plotter.close()
    x, y = np.array(shown).T / np.array([[400], [300]])  # fractions of width and height
    assert y.min() > 0.03 and y.max() < 0.97, (y.min(), y.max())
    assert x.min() > 0.0 and x.max() < 1.0 - COLOUR_BAR_ROOM, (x.min(), x.max())


def test_slider_moves_the_scene(result):
    require_rendering()
    from spinesim.viz.interactive import slider_plotter

    plotter, actors, slider = slider_plotter(
        result, off_screen=True, window_size=(200, 150), time_s=0.0
    )
    try:
        before = actors.meshes["bones"].points.copy()
        slider.GetRepresentation().SetValue(15.0)
        slider.InvokeEvent("EndInteractionEvent")
        assert not np.allclose(actors.meshes["bones"].points, before)
        assert "60.0 deg" in actors.headline.GetText(2)  # corner 2: upper left
    finally:
        plotter.close()


def test_interactive_window_needs_a_display(result, monkeypatch):
    from spinesim.viz import show

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(ParameterError, match="no display"):
        show(result)


def _unannotated(path) -> list[str]:
    """Public functions and methods (and __init__) of a module with a parameter or the
    return type not annotated."""
    import ast

    found = []

    def visit(node, prefix=""):
        for n in ast.iter_child_nodes(node):
            if isinstance(n, ast.ClassDef):
                visit(n, f"{prefix}{n.name}.")
            elif isinstance(n, ast.FunctionDef) and (
                not n.name.startswith("_") or n.name == "__init__"
            ):
                a = n.args
                params = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
                bare = [
                    p.arg
                    for p in params
                    if p is not None and p.annotation is None and p.arg not in ("self", "cls")
                ]
                if n.returns is None or bare:
                    found.append(f"{path.name}: {prefix}{n.name} ({', '.join(bare) or 'return'})")

    visit(ast.parse(path.read_text()))
    return found


def test_public_functions_are_annotated():
    """Every public function of spinesim (but the compiled kernels of spinesim.core, which
    Numba types itself) has its parameters and return type annotated; PyVista and VTK
    types are imported for type checkers only, so importing spinesim.viz stays light."""
    import subprocess
    import sys
    from pathlib import Path

    import spinesim.viz

    package = Path(spinesim.__file__).parent
    modules = [p for p in sorted(package.rglob("*.py")) if "core" not in p.parent.parts[-1:]]
    assert len(modules) > 40
    assert [f for path in modules for f in _unannotated(path)] == []
    code = (
        "import sys, spinesim.viz, spinesim.viz.interactive, spinesim.viz.command; "
        "print(sorted(m for m in ('pyvista', 'vtk', 'vtkmodules') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_plotter_annotations_name_the_returned_types(result):
    """The annotations (strings, resolved here with the names imported for type checkers)
    are the classes actually returned."""
    require_rendering()
    import typing

    from pyvista import Plotter
    from vtkmodules.vtkInteractionWidgets import vtkSliderWidget

    from spinesim.viz._pyvista import plotter
    from spinesim.viz.interactive import slider_plotter
    from spinesim.viz.scene import SceneActors

    names = {"Plotter": Plotter, "vtkSliderWidget": vtkSliderWidget}
    assert typing.get_type_hints(plotter, localns=names)["return"] is Plotter
    returned = typing.get_type_hints(slider_plotter, localns=names)["return"]
    assert typing.get_args(returned) == (Plotter, SceneActors, vtkSliderWidget)
    objects = slider_plotter(result, off_screen=True, window_size=(64, 48))
    try:
        for obj, cls in zip(objects, typing.get_args(returned), strict=True):
            assert isinstance(obj, cls)
    finally:
        objects[0].close()


def test_every_colouring_has_a_unit():
    for title, _, _ in COLOR_BY.values():
        assert "(" in title and ")" in title


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ((800.9, 600), "window_size width = 800.9"),
        ((800, 2), r"window_size height = 2; allowed: an integer in \[16, 4096\]"),
        (800, "is not \\(width, height\\) in pixels"),
    ],
)
def test_a_picture_size_is_whole_pixels_in_range(size, message):
    """800.9 pixels were cut to 800 without a word."""
    from spinesim.viz.scene import check_window_size

    with pytest.raises(ParameterError, match=message):
        check_window_size(size)
    assert check_window_size((800, 600)) == (800, 600)
