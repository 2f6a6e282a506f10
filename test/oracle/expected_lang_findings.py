#!/usr/bin/env python3
"""Independent oracle: the npm and Go-stdlib vulnerability findings a scanner
should report for an image, computed from the corpus OSV mirror.

Usage:
  expected_lang_findings.py IMAGE ADVISORY_DIR  -> JSON list on stdout
  expected_lang_findings.py --selftest          -> checks the SemVer comparator
                                                   and the OSV range walk

IMAGE is a docker-archive (plain or gzipped tar with manifest.json) or an OCI
archive (tar with index.json). ADVISORY_DIR holds osv/npm/all.zip and
osv/Go/all.zip.

Packages:
- npm: every `node_modules/...` entry of the `packages` map of
  /app/package-lock.json (lockfile v2/v3) as visible in the final filesystem;
  the name is the path after the last `node_modules/`. The root entry ("") is
  the application itself and is not a dependency. Each entry is cross-checked
  against node_modules/<path>/package.json; a disagreement is an error.
- Go: every ELF file carrying a Go build-info blob; its toolchain version
  (go1.19.8) becomes the package `stdlib` at 1.19.8, the form the Go vulnerability
  database uses. Module dependencies are not read: the corpus binaries are
  GOPATH builds that have none.

Matching follows the OSV schema: a record applies when it is not withdrawn and
one of its affected[] entries names the ecosystem and package and either lists
the version in `versions` or has a SEMVER/ECOSYSTEM range containing it (both
ecosystems use SemVer 2.0.0 ordering; GIT ranges are ignored). The Go records'
`ecosystem_specific.imports` (which packages/symbols of stdlib are affected) is
deliberately ignored: findings are reported per module, as Trivy and Grype do
for binaries, since whether a binary reaches a symbol is not decided here.

Finding id: the first CVE of the sorted, de-duplicated `aliases`, else the OSV
id. `fixed`: the `fixed` event closing the range segment that contains the
version; the lowest one when several ranges/records give one; "unfixed" when no
matching segment is closed by `fixed` (open-ended or `last_affected`). Records
mapping to the same (id, package) are merged keeping the lowest fixed.

It shares no code with cavas on purpose. Python 3 standard library only.
"""

import functools
import gzip
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
import zipfile

LOCKFILE = "app/package-lock.json"
GO_BUILDINFO_MAGIC = b"\xff Go buildinf:"
UNFIXED = "unfixed"


# --------------------------------------------------------------- semver ----

_DIGITS = re.compile(r"^[0-9]+$")
_SEMVER = re.compile(
    r"^v?(?P<core>[0-9]+(?:\.[0-9]+){0,2})"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?"
    r"(?:\+(?P<build>[0-9A-Za-z.-]+))?$"
)


class SemVer:
    """A SemVer 2.0.0 version. Missing minor/patch count as 0 (OSV uses "0"
    for "every version"); build metadata is kept but has no precedence."""

    __slots__ = ("core", "pre", "text")

    def __init__(self, text):
        m = _SEMVER.match(text)
        if not m:
            raise ValueError("not a SemVer version: %r" % text)
        parts = [int(x) for x in m.group("core").split(".")]
        while len(parts) < 3:
            parts.append(0)
        self.core = tuple(parts)
        pre = m.group("pre")
        self.pre = tuple(pre.split(".")) if pre is not None else ()
        if any(p == "" for p in self.pre):
            raise ValueError("empty prerelease identifier in %r" % text)
        self.text = text

    def __repr__(self):
        return "SemVer(%r)" % self.text


def _cmp_ident(a, b):
    an, bn = bool(_DIGITS.match(a)), bool(_DIGITS.match(b))
    if an and bn:
        return (int(a) > int(b)) - (int(a) < int(b))
    if an != bn:
        # Numeric identifiers have lower precedence than alphanumeric ones.
        return -1 if an else 1
    return (a > b) - (a < b)  # ASCII order


def semver_cmp(a, b):
    """-1, 0, 1 by SemVer 2.0.0 precedence (section 11)."""
    if isinstance(a, str):
        a = SemVer(a)
    if isinstance(b, str):
        b = SemVer(b)
    if a.core != b.core:
        return -1 if a.core < b.core else 1
    if not a.pre or not b.pre:
        # A version without prerelease outranks one with a prerelease.
        return (len(b.pre) > 0) - (len(a.pre) > 0)
    for x, y in zip(a.pre, b.pre):
        c = _cmp_ident(x, y)
        if c:
            return c
    return (len(a.pre) > len(b.pre)) - (len(a.pre) < len(b.pre))


# ------------------------------------------------------------ OSV ranges ----

def _event_version(event):
    for kind in ("introduced", "fixed", "last_affected", "limit"):
        if kind in event:
            return kind, event[kind]
    return None, None


def range_hit(events, version):
    """Walk one range's events as the OSV schema describes ("evaluation").
    Returns (affected, fixed) where fixed is the `fixed` event closing the
    segment that contains `version`, or None when it is not closed by one."""
    v = SemVer(version)
    evs = []
    for e in events:
        kind, ver = _event_version(e)
        if kind is None:
            continue
        # "introduced: 0" means from the very beginning, below any prerelease.
        key = None if (kind == "introduced" and ver == "0") else SemVer(ver)
        evs.append((kind, ver, key))
    def cmp_ev(i, j):
        # By version, "introduced: 0" first; equal versions keep input order.
        ki, kj = evs[i][2], evs[j][2]
        if ki is None or kj is None:
            return (ki is not None) - (kj is not None) or i - j
        return semver_cmp(ki, kj) or i - j

    order = sorted(range(len(evs)), key=functools.cmp_to_key(cmp_ev))
    affected = False
    seg_start = None
    for n, i in enumerate(order):
        kind, ver, key = evs[i]
        if kind == "introduced":
            if key is None or semver_cmp(v, key) >= 0:
                affected = True
                seg_start = n
        elif kind in ("fixed", "limit"):
            if semver_cmp(v, key) >= 0:
                affected = False
        elif kind == "last_affected":
            if semver_cmp(v, key) > 0:
                affected = False
    if not affected:
        return False, None
    # The segment containing v ends at the first non-introduced event after
    # the introduced event that opened it.
    for i in order[seg_start + 1:]:
        kind, ver, _ = evs[i]
        if kind == "fixed":
            return True, ver
        if kind in ("last_affected", "limit"):
            return True, None
    return True, None


def affected_entry_hit(entry, version):
    """(affected, lowest fixed or None) for one affected[] entry."""
    hit = False
    fixes = []
    if version in (entry.get("versions") or []):
        # A listed version without a containing range has no known fix here
        # (no corpus record uses `versions`; this keeps the rule explicit).
        hit = True
    for rng in entry.get("ranges") or []:
        if rng.get("type") not in ("SEMVER", "ECOSYSTEM"):
            continue
        a, fixed = range_hit(rng.get("events") or [], version)
        if a:
            hit = True
            if fixed is not None:
                fixes.append(fixed)
    if not hit:
        return False, None
    # The lowest fix of the segments containing the version; an open segment
    # alone leaves it unfixed.
    return True, min_version(fixes)


def min_version(versions):
    best = None
    for x in versions:
        if best is None or semver_cmp(x, best) < 0:
            best = x
    return best


def finding_id(record):
    cves = sorted({a for a in record.get("aliases") or [] if a.startswith("CVE-")})
    return cves[0] if cves else record["id"]


def load_osv(zip_path):
    out = []
    with zipfile.ZipFile(zip_path) as z:
        for name in sorted(z.namelist()):
            if name.endswith(".json"):
                out.append(json.loads(z.read(name)))
    return out


def match(records, ecosystem, packages, label):
    """packages: iterable of (name, version). Returns merged findings."""
    merged = {}
    for name, version in sorted(set(packages)):
        for rec in records:
            if rec.get("withdrawn"):
                continue
            hit = False
            fixes = []  # None = unfixed
            for entry in rec.get("affected") or []:
                pkg = entry.get("package") or {}
                if pkg.get("ecosystem") != ecosystem or pkg.get("name") != name:
                    continue
                a, fixed = affected_entry_hit(entry, version)
                if a:
                    hit = True
                    fixes.append(fixed)
            if not hit:
                continue
            # An entry without a fix keeps the record unfixed only if no other
            # matching entry of it gives a fix: take the lowest real fix.
            real = [f for f in fixes if f is not None]
            fixed = min_version(real) if real else None
            key = (finding_id(rec), name, version)
            prev = merged.get(key)
            if prev is None:
                merged[key] = {"fixed": fixed, "osv": [rec["id"]]}
            else:
                prev["osv"].append(rec["id"])
                if fixed is not None and (prev["fixed"] is None or semver_cmp(fixed, prev["fixed"]) < 0):
                    prev["fixed"] = fixed
    return [
        {
            "id": k[0],
            "package": k[1],
            "installed": k[2],
            "fixed": v["fixed"] if v["fixed"] is not None else UNFIXED,
            "ecosystem": label,
            "osv": sorted(v["osv"]),
        }
        for k, v in sorted(merged.items())
    ]


# ---------------------------------------------------------------- image ----

def _norm(name):
    while name.startswith("./"):
        name = name[2:]
    return name.lstrip("/")


def _open_outer(path):
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic != b"\x1f\x8b":
        return open(path, "rb")
    tmp = tempfile.TemporaryFile()
    with gzip.open(path, "rb") as src:
        shutil.copyfileobj(src, tmp, 1 << 20)
    tmp.seek(0)
    return tmp


def _layer_names(outer, members):
    if "manifest.json" in members:
        manifest = json.load(outer.extractfile(members["manifest.json"]))
        if len(manifest) != 1:
            raise SystemExit("expected one image in manifest.json, got %d" % len(manifest))
        return [_norm(x) for x in manifest[0]["Layers"]]
    index = json.load(outer.extractfile(members["index.json"]))
    if len(index["manifests"]) != 1:
        raise SystemExit("expected one manifest in index.json")
    digest = index["manifests"][0]["digest"]
    blob = lambda d: members["blobs/" + d.replace(":", "/")]
    manifest = json.load(outer.extractfile(blob(digest)))
    if "layers" not in manifest:
        raise SystemExit("index.json points to an index, not an image manifest")
    return ["blobs/" + l["digest"].replace(":", "/") for l in manifest["layers"]]


def go_version_of(data):
    """Toolchain version from a Go build-info blob (Go >= 1.18 inline form)."""
    at = data.find(GO_BUILDINFO_MAGIC)
    if at < 0:
        return None
    header = data[at:at + 32]
    flags = header[15]
    if not flags & 0x2:
        raise SystemExit("Go build info in pointer form (Go < 1.18) is not supported by this oracle")
    pos = at + 32
    length, shift = 0, 0
    while True:
        b = data[pos]
        pos += 1
        length |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            break
    return data[pos:pos + length].decode("utf-8")


def go_to_semver(toolchain):
    """go1.19.8 -> 1.19.8, go1.21 -> 1.21.0, go1.21rc2 -> 1.21.0-rc.2 (vulndb form)."""
    m = re.match(r"^go(\d+)\.(\d+)(?:\.(\d+))?(?:(beta|rc)(\d+))?", toolchain)
    if not m:
        raise SystemExit("unrecognised Go toolchain version %r" % toolchain)
    v = "%s.%s.%s" % (m.group(1), m.group(2), m.group(3) or "0")
    if m.group(4):
        v += "-%s.%s" % (m.group(4), m.group(5))
    return v


def read_image(path):
    """Final-filesystem view of what the oracle needs: {path: (kind, value)}."""
    files = {}

    def remove(p):
        files.pop(p, None)
        prefix = p + "/"
        for k in [k for k in files if k.startswith(prefix)]:
            del files[k]

    with _open_outer(path) as raw, tarfile.open(fileobj=raw, mode="r:") as outer:
        members = {_norm(m.name): m for m in outer.getmembers() if m.isfile()}
        for layer_name in _layer_names(outer, members):
            with tarfile.open(fileobj=outer.extractfile(members[layer_name]), mode="r:*") as layer:
                for entry in layer:
                    name = _norm(entry.name).rstrip("/")
                    base = os.path.basename(name)
                    parent = os.path.dirname(name)
                    if base == ".wh..wh..opq":
                        for k in [k for k in files if k.startswith(parent + "/")]:
                            del files[k]
                        continue
                    if base.startswith(".wh."):
                        remove(os.path.join(parent, base[4:]) if parent else base[4:])
                        continue
                    # A new entry of any type replaces what was there.
                    if entry.isdir():
                        files.pop(name, None)  # parents are repeated in later layers: keep children
                    else:
                        remove(name)
                    if not entry.isfile():
                        continue
                    if name == LOCKFILE or (
                        name.startswith("app/node_modules/") and name.endswith("/package.json")
                    ):
                        files[name] = ("json", layer.extractfile(entry).read())
                        continue
                    head = layer.extractfile(entry).read(4)
                    if head == b"\x7fELF":
                        data = layer.extractfile(entry).read()
                        v = go_version_of(data)
                        if v is not None:
                            files[name] = ("go", v)
    return files


def npm_packages(files):
    if LOCKFILE not in files:
        return []
    lock = json.loads(files[LOCKFILE][1])
    if lock.get("lockfileVersion") not in (2, 3):
        raise SystemExit("unsupported lockfileVersion %r" % lock.get("lockfileVersion"))
    out = []
    for key, meta in lock["packages"].items():
        if not key or meta.get("link"):
            continue
        name = key.rsplit("node_modules/", 1)[1]
        version = meta["version"]
        manifest = files.get("app/" + key + "/package.json")
        if manifest is None:
            raise SystemExit("lock entry %s has no installed package.json" % key)
        installed = json.loads(manifest[1])
        if (installed.get("name"), installed.get("version")) != (name, version):
            raise SystemExit("lock entry %s says %s@%s but package.json says %s@%s" % (
                key, name, version, installed.get("name"), installed.get("version")))
        out.append((name, version))
    return out


def go_stdlib(files):
    return [("stdlib", go_to_semver(v)) for kind, v in files.values() if kind == "go"]


# ------------------------------------------------------------- selftest ----

def selftest():
    chain = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
             "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1",
             "1.1.0", "1.10.0", "2.0.0"]
    for i, a in enumerate(chain):
        for j, b in enumerate(chain):
            want = (i > j) - (i < j)
            got = semver_cmp(a, b)
            assert got == want, (a, b, got, want)
    assert semver_cmp("1.0.0+build.1", "1.0.0") == 0
    assert semver_cmp("1.16.0-0", "1.16.0-rc.1") < 0
    assert semver_cmp("1.16.0-0", "1.15.99") > 0
    assert semver_cmp("1.0.0-2", "1.0.0-10") < 0
    assert semver_cmp("1.0.0-a10", "1.0.0-a9") < 0  # alphanumeric: ASCII
    go = [{"introduced": "0"}, {"fixed": "1.19.9"}, {"introduced": "1.20.0-0"}, {"fixed": "1.20.4"}]
    assert range_hit(go, "1.19.8") == (True, "1.19.9")
    assert range_hit(go, "1.19.9") == (False, None)
    assert range_hit(go, "1.20.0-rc.1") == (True, "1.20.4")
    assert range_hit(go, "1.20.4") == (False, None)
    # Unsorted events are sorted before the walk.
    assert range_hit([{"fixed": "1.20.4"}, {"introduced": "1.20.0-0"}, {"introduced": "0"}, {"fixed": "1.19.9"}],
                     "1.20.1") == (True, "1.20.4")
    la = [{"introduced": "0"}, {"last_affected": "2.0.1"}]
    assert range_hit(la, "2.0.1") == (True, None)
    assert range_hit(la, "2.0.2") == (False, None)
    assert range_hit([{"introduced": "1.2.0"}], "1.1.9") == (False, None)
    assert range_hit([{"introduced": "1.2.0"}], "9.0.0") == (True, None)
    assert range_hit([{"introduced": "0"}, {"limit": "2.0.0"}], "2.0.0") == (False, None)
    # Several ranges, the one containing the version decides the fix.
    entry = {"ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "0.1.10"}]},
                        {"type": "SEMVER", "events": [{"introduced": "0.2.0"}, {"fixed": "1.9.0"}]}]}
    assert affected_entry_hit(entry, "0.1.7") == (True, "0.1.10")
    assert affected_entry_hit(entry, "0.1.10") == (False, None)
    assert affected_entry_hit({"versions": ["1.2.3"]}, "1.2.3") == (True, None)
    assert go_to_semver("go1.19.8") == "1.19.8"
    assert go_to_semver("go1.21") == "1.21.0"
    assert go_to_semver("go1.21rc2") == "1.21.0-rc.2"
    assert finding_id({"id": "GO-X", "aliases": ["GHSA-a", "CVE-2025-2", "CVE-2025-1", "CVE-2025-2"]}) == "CVE-2025-1"
    assert finding_id({"id": "GO-X", "aliases": ["GHSA-a"]}) == "GO-X"
    recs = [
        {"id": "A", "aliases": ["CVE-1"], "affected": [{"package": {"ecosystem": "npm", "name": "p"},
         "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "2.0.0"}]}]}]},
        {"id": "B", "aliases": ["CVE-1"], "affected": [{"package": {"ecosystem": "npm", "name": "p"},
         "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.5.0"}]}]}]},
        {"id": "C", "withdrawn": "2020-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npm", "name": "p"},
         "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]},
    ]
    got = match(recs, "npm", [("p", "1.0.0")], "npm")
    assert [(f["id"], f["fixed"], f["osv"]) for f in got] == [("CVE-1", "1.5.0", ["A", "B"])], got
    print("selftest ok")


def main(argv):
    if argv[1:] == ["--selftest"]:
        selftest()
        return
    if len(argv) != 3:
        raise SystemExit(__doc__)
    image, adv = argv[1], argv[2]
    files = read_image(image)
    findings = []
    npm = npm_packages(files)
    if npm:
        findings += match(load_osv(os.path.join(adv, "osv", "npm", "all.zip")), "npm", npm, "npm")
    go = go_stdlib(files)
    if go:
        findings += match(load_osv(os.path.join(adv, "osv", "Go", "all.zip")), "Go", go, "go")
    sys.stderr.write("oracle: %d npm packages, Go stdlib %s, %d findings\n" % (
        len(npm), sorted(set(v for _, v in go)), len(findings)))
    json.dump(findings, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv)
