"""A planner's own area: layers from .npz, settlements from CSV, and clear errors for bad files.

Bad input must end in one ConfigError naming the file (and, for a settlement, the line and column),
never another exception: the fuzz tests at the end mutate good files at random to hold to that."""

import csv
import io
import re
import signal
import threading
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pocsim.cli import one_line
from pocsim.config import ConfigError
from pocsim.model import POCModel
from pocsim.streams import Streams
from pocsim.world import terrain_io
from pocsim.world.terrain import WATER
from pocsim.world.terrain_io import load_layers, load_settlements
from pocsim.world.world import build_world
from tests.conftest import make_config

GEOREF = dict(lon0=20.0, lat0=6.0, dlon=0.01, dlat=-0.01)


@pytest.fixture(scope="module")
def world():
    return build_world(make_config().scenario, Streams(2))


def write_files(tmp_path, world, layers=None, rows=None):
    t, v = world.terrain, world.villages
    data = dict(elevation=t.elevation, landcover=t.landcover, road=t.road, river=t.river.astype(np.uint8))
    data.update(layers or {})
    npz = tmp_path / "area.npz"
    np.savez(npz, **{k: val for k, val in data.items() if val is not None})
    df = pd.DataFrame({"name": v.name, "x": v.x, "y": v.y, "population": v.population,
                       "is_town": v.is_town.astype(int)})
    if rows is not None:
        df = rows(df)
    csv_path = tmp_path / "settlements.csv"
    df.to_csv(csv_path, index=False)
    return npz, csv_path


def file_config(npz, csv_path):
    return make_config("scenario.terrain.source=file", f"scenario.terrain.layers_file={npz}",
                       f"scenario.terrain.settlements_file={csv_path}")


def settlement_table(world, lonlat=False) -> list[list[str]]:
    """The world's settlements as CSV cells (header first) with every optional column, for tests
    that edit one cell or line; `lonlat` gives positions as lon, lat on the GEOREF grid."""
    v = world.villages
    g = GEOREF
    degrees = [g["lon0"] + v.x * g["dlon"], g["lat0"] + v.y * g["dlat"]]
    where = (["lon", "lat"], degrees) if lonlat else (["x", "y"], [v.x, v.y])
    header = ["name", *where[0], "population", "is_town", "phone_coverage", "vulnerability", "community"]
    rows = [[str(v.name[i]), *(f"{c[i]:.6f}" if lonlat else str(c[i]) for c in where[1]), str(v.population[i]),
             "yes" if v.is_town[i] else "no", str(int(v.phone_coverage[i])), f"{v.vulnerability[i]:.4f}",
             v.communities[v.community[i]]] for i in range(len(v))]
    return [header, *rows]


def csv_text(table) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table)
    return out.getvalue()


def edited(table, line: int, column: str, value: str):
    """The table with one cell replaced; `line` counts as an editor does (header = line 1)."""
    table = [list(row) for row in table]
    table[line - 1][table[0].index(column)] = value
    return table


@dataclass
class Area:
    """The world's layers as a georeferenced .npz, loaded once, its config, and a folder for CSVs."""
    folder: Path
    npz: Path
    scenario: object
    terrain: object
    georef: dict


@pytest.fixture(scope="module")
def area(tmp_path_factory, world):
    folder = tmp_path_factory.mktemp("area")
    npz, csv_path = write_files(folder, world, layers=GEOREF)
    scenario = file_config(npz, csv_path).scenario
    return Area(folder, npz, scenario, *load_layers(scenario.terrain))


def load_csv(area, text: str | bytes, name="settlements.csv"):
    path = area.folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    cfg = replace(area.scenario.terrain, settlements_file=str(path))
    return load_settlements(cfg, area.scenario.villages, area.terrain, area.georef, np.random.default_rng(0))


def as_printed(err: ConfigError) -> str:
    """The refusal as the command line prints it (with any error it was raised from), checked to
    be one line and free of numpy's advice about pickles."""
    line = one_line(err)
    assert line == str(err) and "\n" not in line and "pickle" not in line.lower()
    return line


def refusal(area, text, name="settlements.csv") -> str:
    with pytest.raises(ConfigError) as err:
        load_csv(area, text, name)
    return as_printed(err.value)


def test_loaded_area_matches_the_files_and_runs(tmp_path, world):
    npz, csv_path = write_files(tmp_path, world)
    cfg = file_config(npz, csv_path)
    loaded = build_world(cfg.scenario, Streams(0))
    np.testing.assert_array_equal(loaded.terrain.road, world.terrain.road)
    np.testing.assert_array_equal(loaded.villages.cell, world.villages.cell)
    np.testing.assert_array_equal(loaded.villages.population, world.villages.population)
    model = POCModel(cfg.scenario, seed=0)
    model.run(days=2)
    assert model.villages.alive + model.villages.deaths.sum() == model.villages.population.sum()


def test_settlements_by_lon_lat_and_rivers_derived(tmp_path, world):
    georef = dict(lon0=np.float64(20.0), lat0=np.float64(6.0), dlon=np.float64(0.01), dlat=np.float64(-0.01))
    npz, csv_path = write_files(tmp_path, world, layers={"river": None, **georef}, rows=lambda df: df.assign(
        lon=20.0 + df.x * 0.01, lat=6.0 - df.y * 0.01).drop(columns=["x", "y"]))
    loaded = build_world(file_config(npz, csv_path).scenario, Streams(0))
    np.testing.assert_array_equal(loaded.villages.cell, world.villages.cell)
    assert loaded.terrain.river.any()


def test_every_optional_column_is_read_with_flags_in_words(area, world):
    table = settlement_table(world)
    table = edited(edited(edited(table, 2, "is_town", " TRUE "), 3, "is_town", "No"), 4, "phone_coverage", "Yes")
    villages = load_csv(area, csv_text(table))
    v = world.villages
    assert villages.is_town[:3].tolist() == [True, False, v.is_town[2]]
    assert villages.phone_coverage[2]
    np.testing.assert_allclose(villages.vulnerability, v.vulnerability, atol=1e-4)
    np.testing.assert_array_equal(villages.community, v.community)
    lonlat = load_csv(area, csv_text(settlement_table(world, lonlat=True)))
    np.testing.assert_array_equal(lonlat.cell, v.cell)


BAD = [
    ("missing layer", dict(layers={"road": None}), "missing layer"),
    ("shape", dict(layers={"road": np.zeros((5, 5), np.uint8)}), "has shape"),
    ("codes", dict(layers={"landcover": np.full((60, 60), 7, np.uint8)}), "codes"),
    ("negative population", dict(rows=lambda df: df.assign(population=-df.population)), "population"),
    ("outside", dict(rows=lambda df: df.assign(x=df.x + 1000)), "column x: .* from 0 to 59"),
    ("no coordinates", dict(rows=lambda df: df.drop(columns=["y"])), "columns must include"),
    ("lon/lat without georef", dict(rows=lambda df: df.rename(columns={"x": "lon", "y": "lat"})), "lon0"),
    ("unknown community", dict(rows=lambda df: df.assign(community="Zed")), "community"),
]


@pytest.mark.parametrize("case,kwargs,message", BAD, ids=[b[0] for b in BAD])
def test_bad_files_are_rejected_naming_the_file(tmp_path, world, case, kwargs, message):
    npz, csv_path = write_files(tmp_path, world, **kwargs)
    with pytest.raises(ConfigError, match=message) as err:
        build_world(file_config(npz, csv_path).scenario, Streams(0))
    assert str(npz) in str(err.value) or str(csv_path) in str(err.value)


# (column, value, what the message says is allowed); each goes into line 7 of a good table
BAD_CELLS = [
    ("is_town", "maybe", "1/0, true/false or yes/no"),
    ("is_town", "", "1/0, true/false or yes/no"),
    ("phone_coverage", "2", "1/0, true/false or yes/no"),
    ("population", "maybe", "a number of people from 1"),
    ("population", "0.4", "a number of people from 1"),
    ("population", "1e400", "a number of people from 1"),
    ("population", "1e30", "to 2,147,483,647"),
    ("population", "nan", "a number of people"),
    ("x", "inf", "a cell column from 0 to 59"),
    ("y", "-3", "a cell row from 0 to 59"),
    ("y", "60", "a cell row from 0 to 59"),
    ("vulnerability", "NaN", r"a number in \(0, 1\]"),
    ("vulnerability", "0", r"a number in \(0, 1\]"),
    ("name", "", "a settlement's name"),
    ("community", "", "one of Ama, Bero, Tolo"),
]


@pytest.mark.parametrize("column,value,allowed", BAD_CELLS, ids=[f"{c}={v!r}" for c, v, _ in BAD_CELLS])
def test_a_bad_cell_is_named_by_file_line_and_column(area, world, column, value, allowed):
    message = refusal(area, csv_text(edited(settlement_table(world), 7, column, value)))
    assert message.startswith(f"{area.folder / 'settlements.csv'}, line 7, column {column}: got {value!r}; allowed: ")
    assert re.search(allowed, message)


@pytest.mark.parametrize("column,value,allowed", [
    ("lat", "nan", "a lat within half a cell of"), ("lon", "25.3", "a lon within half a cell of 20 to 20.59"),
    ("lat", "1e308", "a lat within half a cell of 5.41 to 6, the cell centres")])
def test_lon_lat_outside_the_georeferenced_area_is_refused(area, world, column, value, allowed):
    message = refusal(area, csv_text(edited(settlement_table(world, lonlat=True), 5, column, value)))
    assert f"line 5, column {column}: got {value!r}; allowed: {allowed}" in message


def test_duplicate_names_and_shared_cells_name_both_lines(area, world):
    table = settlement_table(world)
    message = refusal(area, csv_text(edited(table, 9, "name", table[3][0])))
    assert f"line 9, column name: '{table[3][0]}' is already the name of the settlement on line 4" in message
    shared = edited(edited(table, 9, "x", table[3][1]), 9, "y", table[3][2])
    message = refusal(area, csv_text(shared))
    assert "line 9, columns x, y: settlement" in message and "same cell" in message and "on line 4" in message


def test_a_settlement_on_water_is_named_by_its_line(tmp_path, world):
    v = world.villages
    landcover = world.terrain.landcover.copy()
    landcover[v.y[7], v.x[7]] = WATER  # the eighth settlement, on line 9
    npz, csv_path = write_files(tmp_path, world, layers={"landcover": landcover})
    message = f"settlements.csv, line 9, columns x, y: settlement '{v.name[7]}' lies on water"
    with pytest.raises(ConfigError, match=message):
        build_world(file_config(npz, csv_path).scenario, Streams(0))


def test_lines_are_counted_as_an_editor_counts_them(area, world):
    notes = ["notes", "", "a quoted note\non two lines"]  # a column pocsim ignores
    table = [row + [notes[i] if i < len(notes) else ""] for i, row in enumerate(settlement_table(world))]
    text = csv_text(edited(table, 6, "population", "maybe")).replace("\n", "\n\n", 1)  # and a blank line 2
    assert ", line 8, column population: got 'maybe'" in refusal(area, text)
    assert "line 3, column name: got 'Two\\nlines'" in refusal(area, csv_text(edited(table, 3, "name", "Two\nlines")))


def test_header_rows_and_encoding_problems_name_the_line(area, world):
    table = settlement_table(world)
    text = csv_text(table)
    assert "line 1 (header): columns must include" in refusal(area, text.replace(",", ";"))
    assert "separated by commas" in refusal(area, text.replace(",", ";"))
    assert "line 1 (header): column x appears twice" in refusal(area, text.replace("population", "x", 1))
    unquoted = csv_text(edited(table, 4, "name", "Bria")).replace("Bria", "Bria,town")  # a comma, no quotes
    assert "line 4: 9 cells, but the header (line 1) names 8" in refusal(area, unquoted)
    assert "line 5: not UTF-8 text" in refusal(area, text.encode().replace(
        table[4][0].encode(), b"K\xe9mo", 1))
    assert "holds no settlements" in refusal(area, csv_text(table[:1]))
    assert "is empty" in refusal(area, "")
    villages = load_csv(area, "\ufeff" + text + ",,,,,,,\n\n")  # a byte-order mark and blank rows (Excel)
    assert len(villages) == len(table) - 1


def layers_file(tmp_path, world, **layers) -> tuple:
    """A georeferenced layers file with some layers replaced (None: left out)."""
    npz, csv_path = write_files(tmp_path, world, layers={**GEOREF, **layers})
    return npz, file_config(npz, csv_path).scenario.terrain


def layer_refusal(path, cfg) -> str:
    with pytest.raises(ConfigError) as err:
        load_layers(cfg)
    assert as_printed(err.value).startswith(f"{path}: ")
    return str(err.value)


def nan_at(grid, y, x, value=np.nan):
    grid = grid.astype(np.float64).copy()
    grid[y, x] = value
    return grid


def test_bad_layer_values_are_refused_with_their_cell(tmp_path, world):
    t = world.terrain
    cases = {
        "elevation": (nan_at(t.elevation, 3, 7), "layer 'elevation' must hold a finite number of metres"),
        "landcover": (nan_at(t.landcover, 4, 8, 1.5), "layer 'landcover' must hold only the whole-number codes "
                                                       "0 savanna, 1 forest, 2 water"),
        "road": (nan_at(t.road, 5, 9, np.inf), "layer 'road' must hold only the whole-number codes"),
    }
    for name, (grid, message) in cases.items():
        npz, cfg = layers_file(tmp_path, world, **{name: grid})
        assert message in layer_refusal(npz, cfg)
    npz, cfg = layers_file(tmp_path, world, elevation=nan_at(t.elevation, 3, 7))
    assert "row y=3, column x=7 holds nan" in layer_refusal(npz, cfg)
    npz, cfg = layers_file(tmp_path, world, elevation=nan_at(t.elevation, 0, 1, -np.inf))
    assert "row y=0, column x=1 holds -inf" in layer_refusal(npz, cfg)
    npz, cfg = layers_file(tmp_path, world, road=np.full(t.shape, "a"))
    assert "layer 'road' has dtype <U1; layers must be numbers" in layer_refusal(npz, cfg)
    npz, cfg = layers_file(tmp_path, world, lat0=np.nan)
    assert "'lat0' must be a single finite number" in layer_refusal(npz, cfg)
    npz, cfg = layers_file(tmp_path, world, dlon=0.0)
    assert "'dlon' must not be 0" in layer_refusal(npz, cfg)


def test_corrupt_archives_give_one_line_naming_the_file(tmp_path, world):
    npz, cfg = layers_file(tmp_path, world)
    good = npz.read_bytes()
    road = np.empty(world.terrain.shape, dtype=object)  # np.savez pickles object arrays
    road[:] = 1
    np.savez(npz, elevation=world.terrain.elevation, landcover=world.terrain.landcover, road=road)
    assert "layer 'road' holds Python objects (dtype object)" in layer_refusal(npz, cfg)
    np.save(tmp_path / "elevation.npy", world.terrain.elevation)
    (tmp_path / "elevation.npy").rename(npz)
    assert "is a single .npy array, not an .npz archive" in layer_refusal(npz, cfg)
    np.savez(npz)
    assert "missing layer(s) ['elevation', 'landcover', 'road']" in layer_refusal(npz, cfg)
    npz.write_bytes(np.random.default_rng(0).bytes(5000))
    assert "not a readable .npz archive" in layer_refusal(npz, cfg)
    npz.write_bytes(good[: len(good) // 2])
    assert "not a readable .npz archive" in layer_refusal(npz, cfg)
    with zipfile.ZipFile(npz, "w") as archive:  # a header promising far more than the archive holds
        archive.writestr("elevation.npy", b"\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, "
                         b"'shape': (100000, 100000), }" + b" " * 50 + b"\n")
    assert "layer 'elevation' is truncated" in layer_refusal(npz, cfg)
    with zipfile.ZipFile(npz, "w") as archive:  # an unclosed header: numpy's parser raises TokenError
        archive.writestr("elevation.npy", b"\x93NUMPY\x01\x00\x10\x00{'descr': '<f8'\n")
    assert "layer 'elevation' is damaged" in layer_refusal(npz, cfg)


def test_unreadable_and_missing_files(tmp_path, world):
    npz, csv_path = write_files(tmp_path, world)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ConfigError, match="not a readable .npz"):
        build_world(file_config(junk, csv_path).scenario, Streams(0))
    with pytest.raises(ConfigError, match="layers_file: file not found"):
        build_world(file_config(tmp_path / "nope.npz", csv_path).scenario, Streams(0))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ConfigError, match="empty.csv: is empty"):
        build_world(file_config(npz, empty).scenario, Streams(0))


# ---- fuzz: any mutation of a good file loads into a valid world or is refused naming the file ----

class Hung(Exception):
    """Not a subclass of anything the loader catches, so a timeout cannot pass as a refusal."""


@contextmanager
def time_limit(seconds: int):
    """Fail instead of hanging; signals work only in the main thread, elsewhere this just waits."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise Hung(f"loading took over {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def assert_valid(terrain, villages):
    assert np.isfinite(terrain.elevation).all()
    assert np.isin(terrain.landcover, [0, 1, 2]).all() and np.isin(terrain.road, [0, 1, 2]).all()
    assert terrain.river.dtype == bool and terrain.river.shape == terrain.landcover.shape == terrain.shape
    n = len(villages)
    assert n > 0 and len(set(villages.name)) == n and all(str(name) for name in villages.name)
    assert ((villages.population >= 1) & (villages.population <= terrain_io.MAX_POPULATION)).all()
    assert len(np.unique(villages.cell)) == n
    assert ((villages.cell >= 0) & (villages.cell < terrain.landcover.size)).all()
    assert (terrain.landcover.ravel()[villages.cell] != WATER).all()
    assert ((villages.vulnerability > 0) & (villages.vulnerability <= 1)).all()
    assert ((villages.community >= 0) & (villages.community < len(villages.communities))).all()


TRICKY = ["", " ", "maybe", "no", "YES", " false ", "1", "0", "2", "-1", "0.4", "0.5", "1.5", "nan", "inf", "-inf",
          "1e400", "1e30", "1e308", "59", "60", "-0.5", "59.5", "20.3", "5.9", "Ama", "Zed", '"', ",", "\n", "\x00",
          "١٢", "1_000"]
# modest: the whole file runs in seconds; raise max_examples locally to search harder
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutated_csv(draw, tables):
    """A good settlements table with a few cells or lines changed, and maybe a few bytes damaged."""
    table = [list(row) for row in draw(st.sampled_from(tables))]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cell"] * 8 + ["header", "drop", "copy"]))
        line = 0 if kind == "header" else draw(st.integers(1, len(table) - 1))
        if kind in ("cell", "header"):
            table[line][draw(st.integers(0, len(table[0]) - 1))] = draw(
                st.one_of(st.sampled_from(TRICKY), st.text(max_size=6)))
        elif kind == "drop":
            del table[line]
        else:
            table.insert(line, list(table[line]))
        if len(table) < 2:
            break
    data = csv_text(table).encode()
    if draw(st.integers(0, 3)) == 0:  # as a bad copy or an editor in another encoding might
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=3)) + data[at + draw(st.integers(0, 3)):]
    return data


@pytest.fixture(scope="module")
def good_tables(world):
    return [settlement_table(world), settlement_table(world, lonlat=True),
            [row[:4] for row in settlement_table(world)]]  # the required columns only


def test_fuzz_settlement_csv_loads_or_is_refused_naming_the_file(area, good_tables):
    @FUZZ
    @given(data=mutated_csv(good_tables))
    def check(data):
        path = area.folder / "fuzz.csv"
        try:
            with time_limit(20):
                villages = load_csv(area, data, "fuzz.csv")
        except ConfigError as err:
            assert str(path) in as_printed(err)
        else:
            assert_valid(area.terrain, villages)

    check()


def good_layers(world) -> dict:
    t = world.terrain
    return dict(elevation=t.elevation, landcover=t.landcover, road=t.road, river=t.river, **GEOREF)


@pytest.fixture(scope="module")
def good_archives(world, tmp_path_factory):
    """The world's layers, georeferenced, as np.savez and np.savez_compressed write them."""
    folder = tmp_path_factory.mktemp("archives")
    np.savez(folder / "stored.npz", **good_layers(world))
    np.savez_compressed(folder / "compressed.npz", **good_layers(world))
    return [(folder / "stored.npz").read_bytes(), (folder / "compressed.npz").read_bytes()]


@st.composite
def damaged_npz(draw, archives):
    """A good archive with bytes changed, inserted or cut off, or random bytes."""
    data = draw(st.sampled_from(archives))
    kind = draw(st.sampled_from(["flip", "flip", "insert", "cut", "random"]))
    if kind == "random":
        return draw(st.binary(max_size=3000))
    if kind == "cut":
        return data[: draw(st.integers(0, len(data)))]
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data) - 1))
        size = 0 if kind == "insert" else draw(st.integers(1, 4))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at + size:]
    return data


ODD_VALUES = [np.nan, np.inf, -np.inf, 1.5, 7, -1, 1e300, 1e-300, 0, 2]
ODD_DTYPES = [np.float16, np.float32, np.int8, np.uint64, np.bool_, np.complex128, "U2", object]


@st.composite
def hostile_layers(draw, layers):
    """A well-formed archive whose arrays are not: odd values, dtypes, shapes, layers left out."""
    layers = {k: np.array(v) for k, v in layers.items()}
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(layers)))
        layer = layers[name]
        kind = draw(st.sampled_from(["value", "value", "dtype", "shape", "drop"]))
        if kind == "value" and layer.dtype.kind in "biuf":
            layer = layer.astype(np.float64)
            if layer.size:
                layer.ravel()[draw(st.integers(0, layer.size - 1))] = draw(st.sampled_from(ODD_VALUES))
        elif kind == "dtype" and layer.dtype.kind in "biufc":  # a string layer is already odd enough
            with warnings.catch_warnings(), np.errstate(all="ignore"):  # casts that lose data are the point
                warnings.simplefilter("ignore")
                layer = layer.astype(draw(st.sampled_from(ODD_DTYPES)))
        elif kind == "shape":
            layer = layer.ravel()[: draw(st.integers(0, 8))].reshape(-1, 1)
        elif kind == "drop":
            del layers[name]
            continue
        layers[name] = layer
    out = io.BytesIO()
    np.savez(out, **layers)
    return out.getvalue()


def test_fuzz_layers_npz_loads_or_is_refused_naming_the_file(area, world, good_archives):
    npz = area.folder / "fuzz.npz"
    csv_path = area.folder / "good.csv"
    csv_path.write_text(csv_text(settlement_table(world)))
    terrain_cfg = replace(area.scenario.terrain, layers_file=str(npz), settlements_file=str(csv_path))

    @FUZZ
    @given(data=st.one_of(damaged_npz(good_archives), hostile_layers(good_layers(world))))
    def check(data):
        npz.write_bytes(data)
        try:
            with time_limit(20):
                terrain, georef = load_layers(terrain_cfg)
        except ConfigError as err:
            assert str(npz) in as_printed(err)
            return
        try:  # changed land cover may put a settlement on water: the settlements file is then named
            with time_limit(20):
                villages = load_settlements(terrain_cfg, area.scenario.villages, terrain, georef,
                                            np.random.default_rng(0))
        except ConfigError as err:
            assert str(csv_path) in as_printed(err)
        else:
            assert_valid(terrain, villages)

    check()
