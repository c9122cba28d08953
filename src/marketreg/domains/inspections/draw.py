"""The draw: a pure function over arrays, and the commitment that makes it verifiable.

Algorithm (everything below is determined by the seed and the frozen inputs):

1. **Randomness.** The 256-bit seed feeds ``numpy.random.SeedSequence`` → ``PCG64``. Only the bit
   generator's raw 64-bit output (``random_raw``) is used — its stream is fixed by NumPy's
   compatibility policy — never ``Generator.choice``/``permutation``, whose algorithms may change
   between NumPy versions. Three raw draws, in this order: one key per directory row, one key per
   inspector, one key per drawn entity.
2. **Eligibility.** A directory row is eligible unless it is excluded (deregistered, or checked for
   the same item within the exclusion period).
3. **Stratified allocation.** Class *c* with *N_c* eligible rows gets a share of the batch size
   proportional to ``weight_c × N_c`` (largest remainder; a class never gets more than it has, the
   rest is redistributed). Inside each class the rows with the smallest keys are drawn (a uniform
   sample without replacement); ties, if any, go to the lower row index.
4. **Inspectors.** Drawn entities are grouped (one group, or by the entity's region when the
   same-region rule forbids local inspectors). Groups are taken in code order; within a group,
   entities are ordered by their keys and the group's eligible inspectors by (current workload,
   inspector key); entity *j* gets inspectors at positions ``k·j … k·j+k-1`` modulo the pool size —
   round robin, so workloads differ by at most one. A pair that hits a conflict (declared relation,
   or an inspector of the entity's previous check) is repaired by the least-loaded eligible
   inspector not already on the entity. Fewer eligible inspectors than *k* is an error.

The commitment is SHA-256 over the canonical JSON of the seed and the SHA-256 digests of the
canonical batch parameters, directory snapshot and inspector snapshot. Publishing it before the
draw binds the bureau to all four; publishing the seed and the snapshots after lets anyone rerun
the draw (``marketreg inspections verify-draw``).

Record formats. ``…/2`` (current) holds the snapshots' arrays as columns: each array is one string
(little-endian bytes in base64; the USCCs as one string of 18-character codes; the classes as one
string of letters), so that a province-wide directory (15M rows) serialises, hashes and parses
in seconds, where a JSON list of 15M numbers takes minutes. ``…/1`` (JSON lists) is still read
and verified: the draw itself is unchanged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass

import numpy as np

from marketreg.kernel.errors import DomainError

CLASS_CODES = ("A", "B", "C", "D")
RECORD_FORMAT = "marketreg.inspections.draw/2"
RECORD_FORMATS = ("marketreg.inspections.draw/1", RECORD_FORMAT)
COLUMNS = "columns/1"  # the snapshots' encoding in record format 2


@dataclass(frozen=True)
class Directory:
    """The frozen directory of inspected entities, one row per entity, sorted by ``entity_ids``."""

    entity_ids: np.ndarray   # int64
    classes: np.ndarray      # uint8: 0..3 = A..D
    excluded: np.ndarray     # bool
    regions: np.ndarray      # int32 county code


@dataclass(frozen=True)
class Pool:
    """The frozen inspector database for the batch: eligible (active, qualified) inspectors."""

    inspector_ids: np.ndarray  # int64, sorted
    regions: np.ndarray        # int32
    conflict_entities: np.ndarray   # int64 entity ids …
    conflict_inspectors: np.ndarray  # … paired with int64 inspector ids that must not inspect them


@dataclass(frozen=True)
class Params:
    size: int
    weights: dict[str, float]
    per_entity: int
    avoid_same_region: bool


@dataclass(frozen=True)
class Draw:
    rows: np.ndarray         # int64 directory row indices of drawn entities, ascending
    inspectors: np.ndarray   # int64 (len(rows), per_entity) inspector ids
    per_class: dict[str, int]


def rng_for(seed_hex: str) -> np.random.PCG64:
    return np.random.PCG64(np.random.SeedSequence(int(seed_hex, 16)))


def allocate(eligible_per_class: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    """Largest-remainder allocation of ``size`` proportional to weight × count, capped by count."""
    counts = eligible_per_class.astype(np.int64)
    if size > int(counts.sum()):
        raise DomainError("inspections.too_many_requested",
                          f"抽取数量{size}超过名录中可抽取的主体数{int(counts.sum())}", requested=size,
                          available=int(counts.sum()))
    alloc = np.zeros_like(counts)
    open_ = (counts > 0) & (weights > 0)
    if size and not open_.any():
        open_ = counts > 0
        weights = np.ones_like(weights)
    while alloc.sum() < size:
        remaining = size - int(alloc.sum())
        mass = np.where(open_, weights * (counts - alloc), 0.0)
        if mass.sum() <= 0:
            open_ = counts > alloc
            weights = np.ones_like(weights)
            continue
        share = remaining * mass / mass.sum()
        add = np.minimum(np.floor(share).astype(np.int64), counts - alloc)
        if add.sum() == 0:
            order = np.lexsort((np.arange(len(share)), -(share - np.floor(share))))
            for i in order:
                if counts[i] > alloc[i] and open_[i]:
                    add[i] = 1
                    break
        alloc += add
        open_ &= counts > alloc
    return alloc


def _smallest(keys: np.ndarray, candidates: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` candidates with the smallest keys (ties: lower index), deterministically."""
    if n == 0:
        return candidates[:0]
    if n >= len(candidates):
        return candidates
    k = keys[candidates]
    part = np.argpartition(k, n - 1)[:n]
    threshold = k[part].max()
    below = candidates[k < threshold]
    at = candidates[k == threshold]
    return np.concatenate([below, np.sort(at)[: n - len(below)]])


def draw_entities(bitgen: np.random.PCG64, directory: Directory, params: Params) -> tuple[np.ndarray, dict]:
    """Steps 2–3: stratified sample of directory rows, ascending."""
    keys = bitgen.random_raw(len(directory.entity_ids))
    eligible = ~directory.excluded
    per_class = np.bincount(directory.classes[eligible], minlength=4)[:4]
    weights = np.array([float(params.weights.get(c, 1.0)) for c in CLASS_CODES])
    alloc = allocate(per_class, weights, params.size)
    chosen = []
    for code in range(4):
        if alloc[code]:
            candidates = np.flatnonzero(eligible & (directory.classes == code))
            chosen.append(_smallest(keys, candidates, int(alloc[code])))
    rows = np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, np.int64)
    return rows.astype(np.int64), {c: int(a) for c, a in zip(CLASS_CODES, alloc, strict=True)}


def _pool_too_small(needed: int, have: int, region: int | None = None) -> DomainError:
    where = f"（地区{region:06d}）" if region is not None else ""
    return DomainError("inspections.pool_too_small",
                       f"符合条件的执法检查人员不足{where}：每户需要{needed}名，可用{have}名",
                       needed=needed, available=have)


def assign_inspectors(bitgen: np.random.PCG64, directory: Directory, rows: np.ndarray, pool: Pool,
                      params: Params) -> np.ndarray:
    """Step 4: ``per_entity`` distinct, non-conflicting inspectors per drawn entity, balanced."""
    k, m = params.per_entity, len(pool.inspector_ids)
    inspector_keys = bitgen.random_raw(m)
    entity_keys = bitgen.random_raw(len(rows))
    load = np.zeros(m, np.int64)
    out = np.empty((len(rows), k), np.int64)  # pool positions
    entity_regions = directory.regions[rows]
    groups = np.unique(entity_regions) if params.avoid_same_region else np.array([-1])
    for group in groups:
        members = np.flatnonzero(entity_regions == group) if group >= 0 else np.arange(len(rows))
        members = members[np.lexsort((members, entity_keys[members]))]
        eligible = np.flatnonzero(pool.regions != group) if group >= 0 else np.arange(m)
        if len(eligible) < k:
            raise _pool_too_small(k, len(eligible), int(group) if group >= 0 else None)
        ordered = eligible[np.lexsort((eligible, inspector_keys[eligible], load[eligible]))]
        slots = np.arange(len(members) * k) % len(ordered)
        out[members] = ordered[slots].reshape(-1, k)
        load += np.bincount(out[members].ravel(), minlength=m)
    _repair_conflicts(directory, rows, pool, params, out, load, inspector_keys)
    return pool.inspector_ids[out]


def _repair_conflicts(directory: Directory, rows: np.ndarray, pool: Pool, params: Params, out: np.ndarray,
                      load: np.ndarray, inspector_keys: np.ndarray) -> None:
    """Replace conflicted assignments by the least-loaded eligible inspector. Finding them is
    vectorised (conflicts → directory rows → drawn positions by binary search); only the few hits
    loop in Python."""
    m, n = len(pool.inspector_ids), len(directory.entity_ids)
    if not len(pool.conflict_entities) or not len(rows) or not m or not n:
        return
    conflict_pos = np.searchsorted(pool.inspector_ids, pool.conflict_inspectors)
    conflict_row = np.searchsorted(directory.entity_ids, pool.conflict_entities)
    known = ((conflict_pos < m) & (pool.inspector_ids[np.minimum(conflict_pos, m - 1)] == pool.conflict_inspectors)
             & (conflict_row < n) & (directory.entity_ids[np.minimum(conflict_row, n - 1)] == pool.conflict_entities))
    drawn_at = np.searchsorted(rows, conflict_row)
    drawn = known & (drawn_at < len(rows)) & (rows[np.minimum(drawn_at, len(rows) - 1)] == conflict_row)
    if not drawn.any():
        return
    at, bad = drawn_at[drawn], conflict_pos[drawn]
    hit_rows = np.unique(at[(out[at] == bad[:, None]).any(axis=1)])
    entity_ids = directory.entity_ids[rows]
    forbidden: dict[int, set[int]] = {}
    for i, p in zip(at.tolist(), bad.tolist(), strict=True):
        forbidden.setdefault(int(entity_ids[i]), set()).add(p)
    for i in hit_rows.tolist():
        eid = int(entity_ids[i])
        region = int(directory.regions[rows[i]])
        for slot in range(params.per_entity):
            if int(out[i, slot]) not in forbidden[eid]:
                continue
            taken = set(out[i].tolist())
            candidates = np.flatnonzero(~np.isin(np.arange(m), list(taken | forbidden[eid])) &
                                        ((pool.regions != region) if params.avoid_same_region else True))
            if not len(candidates):
                raise _pool_too_small(params.per_entity, params.per_entity - 1, region)
            best = int(candidates[np.lexsort((candidates, inspector_keys[candidates], load[candidates]))[0]])
            load[out[i, slot]] -= 1
            load[best] += 1
            out[i, slot] = best


def run_draw(seed_hex: str, directory: Directory, pool: Pool, params: Params) -> Draw:
    """The whole draw: stratified entities, then their inspectors, from one seeded stream."""
    if params.per_entity < 1:
        raise DomainError("inspections.bad_params", "每户检查人员数不正确")
    bitgen = rng_for(seed_hex)
    rows, per_class = draw_entities(bitgen, directory, params)
    inspectors = assign_inspectors(bitgen, directory, rows, pool, params)
    return Draw(rows, inspectors, per_class)


# ------------------------------------------------------------------ canonical form and commitment


def canonical(value: object) -> bytes:
    """Canonical JSON: sorted keys, no whitespace, UTF-8."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def digest(value: object) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def commitment(*, seed_hex: str, params_sha256: str, directory_sha256: str, inspectors_sha256: str) -> str:
    return digest({"seed": seed_hex, "params": params_sha256, "directory": directory_sha256,
                   "inspectors": inspectors_sha256})


def _b64(array: np.ndarray, dtype: str) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode("ascii")


def _column(text: str, dtype: str, n: int | None = None) -> np.ndarray:
    """A base64 column back to an array, refusing a wrong length."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError) as exc:
        raise ValueError(f"bad column: {exc}") from exc
    size = np.dtype(dtype).itemsize
    if len(raw) % size or (n is not None and len(raw) // size != n):
        raise ValueError("column length does not match the row count")
    return np.frombuffer(raw, dtype=dtype).astype(dtype.lstrip("<"))


def _bad_snapshot(what: str) -> DomainError:
    return DomainError("inspections.bad_snapshot", f"{what}快照格式不正确")


def directory_snapshot(directory: Directory, usccs: np.ndarray) -> dict:
    """The directory as columns (record format 2); ``usccs`` is an 18-byte code array."""
    codes = np.asarray(usccs, dtype="S18")
    if len(codes) and int(np.char.str_len(codes).min()) != 18:
        raise _bad_snapshot("抽查名录")
    return {"encoding": COLUMNS, "rows": len(directory.entity_ids),
            "entity_ids": _b64(directory.entity_ids, "<i8"), "usccs": codes.tobytes().decode("ascii"),
            "classes": (directory.classes.astype(np.uint8) + ord("A")).tobytes().decode("ascii"),
            "excluded": _b64(np.packbits(directory.excluded), "u1"), "regions": _b64(directory.regions, "<i4")}


def directory_from_snapshot(snapshot: dict) -> tuple[Directory, np.ndarray]:
    """(directory, 18-byte USCC array) from a snapshot of either record format."""
    if snapshot.get("encoding") == COLUMNS:
        n = int(snapshot["rows"])
        classes = np.frombuffer(snapshot["classes"].encode("ascii"), np.uint8) - ord("A")
        usccs = np.frombuffer(snapshot["usccs"].encode("ascii"), dtype="S18")
        excluded = np.unpackbits(_column(snapshot["excluded"], "u1"), count=n).astype(bool)
        directory = Directory(_column(snapshot["entity_ids"], "<i8", n), classes.astype(np.uint8), excluded,
                              _column(snapshot["regions"], "<i4", n))
    else:
        n = len(snapshot["entity_ids"])
        excluded = np.zeros(n, bool)
        excluded[np.asarray(snapshot["excluded"], np.int64)] = True
        classes = np.frombuffer(snapshot["classes"].encode("ascii"), np.uint8) - ord("A")
        directory = Directory(np.asarray(snapshot["entity_ids"], np.int64), classes.astype(np.uint8), excluded,
                              np.asarray(snapshot["regions"], np.int32))
        usccs = np.asarray([u.encode("ascii") for u in snapshot["usccs"]], dtype="S18").reshape(-1)
    if not (len(directory.classes) == n == len(usccs) == len(directory.regions) == len(directory.excluded)) or \
            (n and (directory.classes.max() > 3 or np.any(np.diff(directory.entity_ids) <= 0))):
        raise _bad_snapshot("抽查名录")
    return directory, usccs


def pool_snapshot(pool: Pool, codes: list[str]) -> dict:
    """The inspector database as columns (record format 2)."""
    return {"encoding": COLUMNS, "inspector_ids": _b64(pool.inspector_ids, "<i8"), "codes": codes,
            "regions": _b64(pool.regions, "<i4"), "conflict_entities": _b64(pool.conflict_entities, "<i8"),
            "conflict_inspectors": _b64(pool.conflict_inspectors, "<i8")}


def pool_from_snapshot(snapshot: dict) -> tuple[Pool, list[str]]:
    if snapshot.get("encoding") == COLUMNS:
        ids = _column(snapshot["inspector_ids"], "<i8")
        entities = _column(snapshot["conflict_entities"], "<i8")
        pool = Pool(ids, _column(snapshot["regions"], "<i4", len(ids)), entities,
                    _column(snapshot["conflict_inspectors"], "<i8", len(entities)))
    else:
        conflicts = np.asarray(snapshot["conflicts"], np.int64).reshape(-1, 2)
        pool = Pool(np.asarray(snapshot["inspector_ids"], np.int64), np.asarray(snapshot["regions"], np.int32),
                    conflicts[:, 0].copy(), conflicts[:, 1].copy())
    if len(pool.inspector_ids) != len(pool.regions) or len(snapshot["codes"]) != len(pool.inspector_ids) \
            or np.any(np.diff(pool.inspector_ids) <= 0):
        raise _bad_snapshot("执法检查人员")
    return pool, list(snapshot["codes"])


def params_from_snapshot(snapshot: dict) -> Params:
    return Params(size=int(snapshot["size"]), weights={k: float(v) for k, v in snapshot["weights"].items()},
                  per_entity=int(snapshot["per_entity"]), avoid_same_region=bool(snapshot["avoid_same_region"]))


def result_rows(draw: Draw, directory: Directory, usccs: np.ndarray, pool_codes: dict[int, str]) -> list[dict]:
    """The drawn entities and their inspectors, as published in the draw record."""
    return [{"entity_id": int(directory.entity_ids[r]), "uscc": usccs[r].decode("ascii"),
             "class": CLASS_CODES[directory.classes[r]],
             "inspectors": [int(i) for i in inspectors],
             "inspector_codes": [pool_codes[int(i)] for i in inspectors]}
            for r, inspectors in zip(draw.rows.tolist(), draw.inspectors, strict=True)]


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    reason: str
    message: str


def verify_record(record: dict) -> Verification:
    """Recompute the digests, the commitment and the draw from a published draw record."""
    try:
        if record.get("format") not in RECORD_FORMATS:
            return Verification(False, "format", "不是抽查摇号记录文件")
        seed = record["seed"]
        digests = {"params": digest(record["params"]), "directory": digest(record["directory"]),
                   "inspectors": digest(record["inspectors"])}
        for name, value in digests.items():
            if record["digests"][name] != value:
                return Verification(False, f"{name}_tampered", f"{name} 快照与摇号前公布的摘要不一致")
        expected = commitment(seed_hex=seed, params_sha256=digests["params"],
                              directory_sha256=digests["directory"], inspectors_sha256=digests["inspectors"])
        if expected != record["commitment"]:
            return Verification(False, "commitment_mismatch", "种子或快照与摇号前公布的承诺值不一致")
        directory, usccs = directory_from_snapshot(record["directory"])
        pool, codes = pool_from_snapshot(record["inspectors"])
        draw = run_draw(seed, directory, pool, params_from_snapshot(record["params"]))
        rerun = result_rows(draw, directory, usccs, dict(zip(pool.inspector_ids.tolist(), codes, strict=True)))
        if rerun != record["result"]:
            return Verification(False, "result_mismatch", "按公布的种子和快照重新摇号，结果与公布的结果不一致")
    except (KeyError, TypeError, ValueError) as exc:
        return Verification(False, "malformed", f"记录文件不完整或格式错误：{exc}")
    except DomainError as exc:
        return Verification(False, exc.code, exc.message_zh)
    return Verification(True, "identical", f"结果一致：{len(record['result'])}户主体")
