"""Load a real area described by a planner: a .npz of named layers and a CSV of settlements.

Layers file (.npz, as numpy.savez writes), arrays of one shape (height, width):
  elevation  float, metres, finite everywhere (required)
  landcover  whole-number codes 0 savanna, 1 forest, 2 water (required)
  road       whole-number codes 0 none, 1 track, 2 main road (required)
  river      0/1 (optional; derived from the elevation's drainage when absent)
  lon0, lat0, dlon, dlat  single numbers (optional): centre of cell (0, 0) and degrees per cell,
             needed only when settlements are given by lon/lat (dlat is negative for a north-up grid)
Layers must be numbers (bool, integer or float arrays); other arrays in the archive are ignored.

Settlements file (.csv, UTF-8, comma-separated, header on line 1), one row per settlement:
  name (unique, printable, not empty), population (rounds to 1 .. 2,147,483,647 people), and either
  x, y (cell column and row, from 0) or lon, lat (inside the area the layers file georeferences),
  rounded to the nearest cell; x, y win when both are given (required)
  is_town, phone_coverage  1/0, true/false or yes/no, in any case
  vulnerability (0 < v <= 1), community (a name from scenario.villages.communities)
                           (optional; generated from position when the column is absent)
An optional column, when present, needs a value in every row: an empty cell is refused, not
generated, because it is more often a value forgotten than one meant to be made up. To have pocsim
generate a column from position, leave the column out. Columns pocsim does not read are ignored,
and so are rows with nothing in them.

Every problem raises ConfigError naming the file and what is allowed; a bad layer value names its
cell (row y, column x), a problem in a settlement the line as an editor counts it (header = line 1)
and the column. Errors are raised outside
the handler of the library error that revealed them: the CLI prints an error's context after it,
and numpy's or zipfile's wording (numpy's suggests allow_pickle) would only confuse a planner.
"""

from __future__ import annotations

import csv
import io
import lzma
import math
import tokenize
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pocsim.config import ConfigError, TerrainConfig, VillagesConfig
from pocsim.validate import existing_file
from pocsim.world.hydrology import drainage
from pocsim.world.settlement import describe
from pocsim.world.terrain import FOREST, MAIN_ROAD, NO_ROAD, SAVANNA, TRACK, WATER, Terrain
from pocsim.world.villages import Villages

REQUIRED_LAYERS = ("elevation", "landcover", "road")
GEOREF = ("lon0", "lat0", "dlon", "dlat")
CODES = {
    "landcover": {SAVANNA: "savanna", FOREST: "forest", WATER: "water"},
    "road": {NO_ROAD: "none", TRACK: "track", MAIN_ROAD: "main road"},
    "river": {0: "no river", 1: "river"},
}
# What a 32-bit count holds: far more people than any place has, and a grid's worth of such places
# still sums within int64, so no total or draw overflows.
MAX_POPULATION = int(np.iinfo(np.int32).max)
SETTLEMENT_COLUMNS = ("name", "population", "x", "y", "lon", "lat", "is_town", "phone_coverage", "vulnerability",
                      "community")
FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
# What a damaged archive or array raises while it is read (zipfile, zlib/lzma, numpy.lib.format, whose
# header parser lets tokenize.TokenError through for some damaged headers, as the fuzz test found).
UNREADABLE = (OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error, lzma.LZMAError, NotImplementedError,
              RuntimeError, MemoryError, OverflowError, SyntaxError, tokenize.TokenError)


def _fail(path, msg: str):
    raise ConfigError(f"{path}: {msg}")


# ---- layers ---------------------------------------------------------------------------------


def _array_header(fp) -> tuple[tuple, np.dtype]:
    major, minor = np.lib.format.read_magic(fp)
    # numpy reads the headers of versions 1.0 and 2.0 (what numpy.savez writes) through public functions
    read_header = getattr(np.lib.format, f"read_array_header_{major}_{minor}", None)
    if read_header is None:
        raise ValueError(f"unsupported .npy version {major}.{minor}")
    shape, _, dtype = read_header(fp)
    return shape, dtype


def _read_layer(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    """One array of the archive. Its header is checked before the array is read, so that an
    object array is refused by name (never unpickled) and a damaged size allocates nothing."""
    name = info.filename.removesuffix(".npy")
    try:
        with archive.open(info) as fp:
            shape, dtype = _array_header(fp)
        if dtype.hasobject:
            _fail(path, f"layer '{name}' holds Python objects (dtype object); layers must be numeric arrays")
        if dtype.kind not in "biuf":
            _fail(path, f"layer '{name}' has dtype {dtype}; layers must be numbers (bool, integer or float)")
        if math.prod(shape) * dtype.itemsize > info.file_size:
            _fail(path, f"layer '{name}' is truncated: its header promises more data than the archive holds")
        with archive.open(info) as fp:
            return np.lib.format.read_array(fp, allow_pickle=False)
    except ConfigError:
        raise
    except UNREADABLE:
        pass  # refused below, outside the handler (see the module docstring)
    _fail(path, f"layer '{name}' is damaged and cannot be read as a numpy array")


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    """The arrays the loader uses, read member by member so that a bad one can be named."""
    used = {*REQUIRED_LAYERS, "river", *GEOREF}
    try:
        with path.open("rb") as f:
            if f.read(len(np.lib.format.MAGIC_PREFIX)) == np.lib.format.MAGIC_PREFIX:
                _fail(path, "is a single .npy array, not an .npz archive of named layers "
                            "(write one with numpy.savez(path, elevation=..., landcover=..., road=...))")
        with zipfile.ZipFile(path) as archive:
            members = [i for i in archive.infolist() if i.filename.removesuffix(".npy") in used]
            return {i.filename.removesuffix(".npy"): _read_layer(path, archive, i) for i in members}
    except ConfigError:
        raise
    except UNREADABLE:
        pass  # refused below, outside the handler
    _fail(path, "not a readable .npz archive (a zip of named arrays, as numpy.savez writes)")


def _first(bad: np.ndarray) -> tuple[int, int]:
    """Row and column of the first True cell, to point the planner at it."""
    return tuple(int(i) for i in np.unravel_index(np.argmax(bad), bad.shape))


def _elevation(path: Path, layer: np.ndarray) -> np.ndarray:
    shape = layer.shape
    if len(shape) != 2 or min(shape) < 2:
        _fail(path, f"layer 'elevation' must be a 2-D grid of at least 2x2 cells, got shape {shape}")
    elevation = layer.astype(np.float64)
    bad = ~np.isfinite(elevation)
    if bad.any():
        y, x = _first(bad)
        _fail(path, f"layer 'elevation' must hold a finite number of metres in every cell; "
                    f"row y={y}, column x={x} holds {elevation[y, x]}")
    return np.ascontiguousarray(elevation)


def _codes(path: Path, name: str, layer: np.ndarray, shape: tuple) -> np.ndarray:
    if layer.shape != shape:
        _fail(path, f"layer '{name}' has shape {layer.shape}, expected {shape} like 'elevation'")
    bad = ~np.isin(layer, list(CODES[name]))  # NaN, infinities and fractions are no code
    if bad.any():
        y, x = _first(bad)
        allowed = ", ".join(f"{code} {meaning}" for code, meaning in CODES[name].items())
        _fail(path, f"layer '{name}' must hold only the whole-number codes {allowed}; "
                    f"row y={y}, column x={x} holds {layer[y, x].item()}")
    return layer.astype(np.uint8)


def _georef(path: Path, layers: dict) -> dict:
    georef = {}
    for k in GEOREF:
        if k not in layers:
            continue
        if layers[k].size != 1 or not np.isfinite(layers[k]).all():
            _fail(path, f"'{k}' must be a single finite number (degrees), e.g. numpy.savez(..., {k}=20.5)")
        georef[k] = float(layers[k].item())
    for k in ("dlon", "dlat"):
        if georef.get(k) == 0:
            _fail(path, f"'{k}' must not be 0: it is the size of a cell in degrees")
    return georef


def load_layers(cfg: TerrainConfig) -> tuple[Terrain, dict]:
    path = existing_file(cfg.layers_file, "scenario.terrain.layers_file")
    layers = _read_npz(path)
    missing = [k for k in REQUIRED_LAYERS if k not in layers]
    if missing:
        _fail(path, f"missing layer(s) {missing}; required: {list(REQUIRED_LAYERS)}")
    elevation = _elevation(path, layers["elevation"])
    shape = elevation.shape
    landcover = _codes(path, "landcover", layers["landcover"], shape)
    road = _codes(path, "road", layers["road"], shape)
    if "river" in layers:
        river = _codes(path, "river", layers["river"], shape).astype(bool)
    else:
        _, _, area = drainage(elevation)
        river = (area.reshape(shape) * cfg.cell_km**2 >= cfg.river_catchment_km2) & (landcover != WATER)
    return Terrain(cfg.cell_km, elevation, landcover, river, road, cfg), _georef(path, layers)


# ---- settlements ----------------------------------------------------------------------------


def _number(allowed: str, inside):
    """A cell parser: a finite number for which `inside` holds; otherwise ValueError(allowed)."""
    def parse(cell: str) -> float:
        try:
            value = float(cell)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and inside(value)):
            raise ValueError(allowed)
        return value
    return parse


def _flag(cell: str) -> bool:
    try:
        return FLAGS[cell.casefold()]
    except KeyError:
        raise ValueError("1/0, true/false or yes/no (in any case)") from None


def _one_of(names, key: str):
    def parse(cell: str) -> str:
        if cell not in names:
            raise ValueError(f"one of {', '.join(names)} ({key})")
        return cell
    return parse


def _name(cell: str) -> str:
    # printable: a name labels maps and reports, and numpy's strings drop a trailing NUL
    if not cell or not cell.isprintable():
        raise ValueError("a settlement's name: printable text on one line, not empty")
    return cell


@dataclass
class _Table:
    """A settlements CSV as text cells (spaces around them stripped), with the line each row
    starts on, so that every message can say where to look."""
    path: Path
    columns: dict  # name -> index of its cell in a row
    rows: list
    lines: list

    def fail(self, line: int, where: str, msg: str):
        raise ConfigError(f"{self.path}, line {line}, {where}: {msg}")

    def has(self, *names: str) -> bool:
        return all(n in self.columns for n in names)

    def column(self, name: str, parse) -> np.ndarray:
        """Every row's cell of one column through `parse`, which says what is allowed."""
        values = []
        for row, line in zip(self.rows, self.lines):
            cell = row[self.columns[name]]
            try:
                values.append(parse(cell))
                continue
            except ValueError as e:
                allowed = str(e)
            self.fail(line, f"column {name}", f"got {cell!r}; allowed: {allowed}")  # outside the handler
        return np.array(values)


def _text(path: Path) -> str:
    try:
        raw = path.read_bytes()
        return raw.decode("utf-8-sig")  # -sig: Excel's "CSV UTF-8" starts with a byte-order mark
    except OSError as e:
        problem = f"cannot be read ({e.strerror})"
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        problem = f"line {line}: not UTF-8 text; save the file as CSV UTF-8"
    _fail(path, problem)  # outside the handler


def _records(path: Path) -> list[tuple[int, list[str]]]:
    """Each row's cells, spaces around them stripped, with the line the row starts on."""
    reader = csv.reader(io.StringIO(_text(path), newline=""))
    records, line = [], 1
    try:
        for row in reader:
            records.append((line, [cell.strip() for cell in row]))
            line = reader.line_num + 1  # a quoted cell may span lines: a row starts after the last
        return records
    except csv.Error as e:
        problem = f"line {line}: not readable as CSV ({e})"
    _fail(path, problem)  # outside the handler


def _read_table(path: Path) -> _Table:
    records = _records(path)
    if not records:
        _fail(path, "is empty; line 1 must be a header naming the columns")
    _, header = records[0]
    columns = {}
    for i, name in enumerate(header):
        if name in columns and name in SETTLEMENT_COLUMNS:
            _fail(path, f"line 1 (header): column {name} appears twice")
        columns.setdefault(name, i)
    body = [(n, row) for n, row in records[1:] if any(row)]  # blank rows carry no settlement
    for n, row in body:
        if len(row) != len(header):
            _fail(path, f"line {n}: {len(row)} cells, but the header (line 1) names {len(header)} columns "
                        "(a comma inside a name needs quotes around the name)")
    return _Table(path, columns, [row for _, row in body], [n for n, _ in body])


def _check_columns(table: _Table) -> None:
    if table.has("name", "population") and (table.has("x", "y") or table.has("lon", "lat")):
        if not table.rows:
            _fail(table.path, "holds no settlements, only a header")
        return
    found = [c for c in table.columns if c]
    hint = " (columns must be separated by commas)" if len(found) == 1 and any(
        sep in found[0] for sep in ";\t") else ""
    _fail(table.path, f"line 1 (header): columns must include name, population and x, y or lon, lat; "
                      f"found {found}{hint}")


def _names(table: _Table) -> np.ndarray:
    names = table.column("name", _name)
    first = {}
    for name, line in zip(names, table.lines):
        if name in first:
            table.fail(line, "column name", f"'{name}' is already the name of the settlement on line "
                                            f"{first[name]}; each settlement needs a name of its own")
        first[name] = line
    return names


def _axis(table: _Table, column: str, n: int, allowed: str, origin=0.0, step=1.0) -> np.ndarray:
    """Every settlement's cell index along one axis of the grid, from a cell column or row (x, y)
    or from degrees (lon, lat, with the layers' georeference), rounded to the nearest cell (half
    to even, as np.round does below); refused outside the grid."""
    def inside(v):
        cell = (v - origin) / step  # may overflow to inf for a huge v and a tiny step
        return math.isfinite(cell) and 0 <= round(cell) <= n - 1
    return np.round((table.column(column, _number(allowed, inside)) - origin) / step).astype(np.int64)


def _area(coord: str, origin: float, step: float, n: int) -> str:
    first, last = sorted((origin, origin + (n - 1) * step))
    return (f"a {coord} within half a cell of {first:.6g} to {last:.6g}, the cell centres the layers file "
            "georeferences")


def _grid_position(table: _Table, terrain: Terrain, georef: dict) -> tuple[np.ndarray, np.ndarray, str]:
    """Cell column and row of every settlement, from x, y or else from lon, lat."""
    ny, nx = terrain.shape
    if table.has("x", "y"):
        return (_axis(table, "x", nx, f"a cell column from 0 to {nx - 1}"),
                _axis(table, "y", ny, f"a cell row from 0 to {ny - 1}"), "columns x, y")
    if set(GEOREF) - set(georef):
        _fail(table.path, f"lon/lat settlements need the single numbers {list(GEOREF)} in the layers file")
    lon0, lat0, dlon, dlat = (georef[k] for k in GEOREF)
    return (_axis(table, "lon", nx, _area("lon", lon0, dlon, nx), lon0, dlon),
            _axis(table, "lat", ny, _area("lat", lat0, dlat, ny), lat0, dlat), "columns lon, lat")


def _cells(table: _Table, terrain: Terrain, georef: dict, names: np.ndarray) -> np.ndarray:
    """Flat cell index of every settlement: on land, and one settlement to a cell."""
    x, y, where = _grid_position(table, terrain, georef)
    cells = y * terrain.shape[1] + x
    taken = {}
    for i, (cell, line) in enumerate(zip(cells, table.lines)):
        if terrain.landcover.ravel()[cell] == WATER:
            table.fail(line, where, f"settlement '{names[i]}' lies on water (cell x={x[i]}, y={y[i]})")
        if cell in taken:
            table.fail(line, where, f"settlement '{names[i]}' is in the same cell (x={x[i]}, y={y[i]}) as "
                                    f"'{names[taken[cell]]}' on line {table.lines[taken[cell]]}; "
                                    "merge them or use a finer grid")
        taken[cell] = i
    return cells


def load_settlements(cfg: TerrainConfig, vcfg: VillagesConfig, terrain: Terrain, georef: dict, rng) -> Villages:
    table = _read_table(existing_file(cfg.settlements_file, "scenario.terrain.settlements_file"))
    _check_columns(table)
    names = _names(table)
    people = f"a number of people from 1 to {MAX_POPULATION:,} (rounded to whole people)"
    population = np.round(table.column("population", _number(
        people, lambda v: 1 <= round(v) <= MAX_POPULATION))).astype(np.int64)
    cells = _cells(table, terrain, georef, names)

    given = {}
    if table.has("vulnerability"):
        given["vulnerability"] = table.column("vulnerability", _number("a number in (0, 1]", lambda v: 0 < v <= 1))
    if table.has("phone_coverage"):
        given["phone_coverage"] = table.column("phone_coverage", _flag).astype(bool)
    if table.has("community"):
        communities = list(vcfg.communities)
        named = table.column("community", _one_of(communities, "scenario.villages.communities"))
        given["community"] = np.array([communities.index(c) for c in named], dtype=np.int64)
    if table.has("is_town"):
        is_town = table.column("is_town", _flag).astype(bool)
    else:
        # Without a flag, the largest places on a main road count as towns.
        on_main = terrain.road.ravel()[cells] == MAIN_ROAD
        is_town = on_main & (population >= vcfg.town_min_population)
    return describe(terrain, cells, is_town, population, names.astype(str), vcfg, rng, given)
