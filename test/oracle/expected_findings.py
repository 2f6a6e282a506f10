#!/usr/bin/env python3
"""Independent oracle: the OS-package vulnerability findings a scanner should
report for a docker-archive image, computed from the corpus advisory mirror.

Usage:
  expected_findings.py IMAGE_ARCHIVE ADVISORY_DIR   -> JSON list on stdout
  expected_findings.py --selftest                   -> checks the apk comparator

It shares no code with cavas on purpose: Debian versions are compared by the
real `dpkg --compare-versions`, Alpine versions by an implementation of
apk-tools' version rules written here (apk-tools 2.12 is what Alpine 3.16 ships).
Python 3 standard library only.
"""

import gzip
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

DPKG_STATUS = "var/lib/dpkg/status"
APK_INSTALLED = "lib/apk/db/installed"
DEBIAN_RELEASE = "bookworm"
DEBIAN_OSV_ECOSYSTEM = "Debian:12"
ALPINE_BRANCH = "v3.16"


# ---------------------------------------------------------------- image ----

def _norm(name):
    while name.startswith("./"):
        name = name[2:]
    return name.lstrip("/")


def _open_outer(path):
    """Return a seekable uncompressed tar file object (gzip is undone into a
    temp file so that members can be read in manifest order cheaply)."""
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic != b"\x1f\x8b":
        return open(path, "rb")
    tmp = tempfile.TemporaryFile()
    with gzip.open(path, "rb") as src:
        shutil.copyfileobj(src, tmp, 1 << 20)
    tmp.seek(0)
    return tmp


def read_package_db(image_path):
    """Return (kind, text) where kind is 'dpkg' or 'apk' and text is the
    package database from the last layer (in manifest order) holding it."""
    with _open_outer(image_path) as raw, tarfile.open(fileobj=raw, mode="r:") as outer:
        members = {_norm(m.name): m for m in outer.getmembers() if m.isfile()}
        manifest = json.load(outer.extractfile(members["manifest.json"]))
        if len(manifest) != 1:
            raise SystemExit("expected exactly one image in manifest.json, got %d" % len(manifest))
        found = None
        for layer_name in manifest[0]["Layers"]:
            layer_member = members[_norm(layer_name)]
            with tarfile.open(fileobj=outer.extractfile(layer_member), mode="r:") as layer:
                for entry in layer:
                    name = _norm(entry.name)
                    if not entry.isfile():
                        continue
                    if name == DPKG_STATUS:
                        found = ("dpkg", layer.extractfile(entry).read().decode("utf-8"))
                    elif name == APK_INSTALLED:
                        found = ("apk", layer.extractfile(entry).read().decode("utf-8"))
        if found is None:
            raise SystemExit("no package database found in " + image_path)
        return found


def parse_dpkg_status(text):
    """Installed binary packages: list of dicts name, version, src, srcver."""
    pkgs = []
    for stanza in text.split("\n\n"):
        fields = {}
        last = None
        for line in stanza.split("\n"):
            if not line:
                continue
            if line[0] in " \t":
                if last is not None:
                    fields[last] += "\n" + line
                continue
            key, _, value = line.partition(":")
            last = key.strip()
            fields[last] = value.strip()
        if "Package" not in fields:
            continue
        status = fields.get("Status", "").split()
        if not status or status[-1] != "installed":
            continue
        name = fields["Package"]
        version = fields["Version"]
        src, srcver = name, version
        source = fields.get("Source")
        if source:
            if "(" in source:
                src = source.split("(", 1)[0].strip()
                srcver = source.split("(", 1)[1].split(")", 1)[0].strip()
            else:
                src = source.strip()
        pkgs.append({"name": name, "version": version, "src": src, "srcver": srcver})
    return pkgs


def parse_apk_installed(text):
    pkgs = []
    for stanza in text.split("\n\n"):
        fields = {}
        for line in stanza.split("\n"):
            if len(line) >= 2 and line[1] == ":":
                fields.setdefault(line[0], line[2:])
        if "P" not in fields:
            continue
        pkgs.append({"name": fields["P"], "version": fields["V"],
                     "origin": fields.get("o") or fields["P"]})
    return pkgs


# -------------------------------------------------------- dpkg versions ----

_dpkg_cache = {}


def dpkg_lt(a, b):
    """a < b by the real dpkg binary (cached)."""
    key = (a, b)
    if key not in _dpkg_cache:
        rc = subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode
        if rc not in (0, 1):
            raise SystemExit("dpkg --compare-versions failed for %r %r" % (a, b))
        _dpkg_cache[key] = rc == 0
    return _dpkg_cache[key]


# --------------------------------------------------------- apk versions ----
# apk-tools 2.x ordering (the 2.12 series ships with Alpine 3.16), written
# here as "split into tokens, then compare the token lists".

# Token kinds, in apk's order: when two versions agree up to a point and then
# continue with different kinds, the one continuing with the higher kind is
# the smaller version (END is highest: "1.2" < "1.2.1"), except that a
# pre-release suffix (_alpha.._rc) always makes its side smaller.
INVALID, DOT, NUM, LETTER, SUFFIX, SUFFIX_NUM, REV, END = range(-1, 7)
PRE_SUFFIXES = ("alpha", "beta", "pre", "rc")    # weights -4..-1
POST_SUFFIXES = ("cvs", "svn", "git", "hg", "p")  # weights 0..4


def apk_tokens(s):
    """Split an apk version into (kind, weight) tokens."""
    out = []
    kind, pos = NUM, 0
    while True:
        if pos >= len(s):
            # nothing after a separator (or an empty string) reads as zero
            out.append((kind, 0))
            return out
        if kind == DOT and s[pos] == "0":
            # A component with leading zeros: the zero run weighs minus its
            # length, and the rest of the component is a separate number.
            n = len(s[pos:]) - len(s[pos:].lstrip("0"))
            out.append((DOT, -n))
            pos += n
            if pos >= len(s):
                return out
            kind = NUM
            continue
        if kind in (DOT, NUM, SUFFIX_NUM, REV):
            end = pos
            while end < len(s) and s[end].isascii() and s[end].isdigit():
                end += 1
            out.append((kind, int(s[pos:end] or "0")))
            pos = end
        elif kind == LETTER:
            out.append((LETTER, ord(s[pos])))
            pos += 1
        elif kind == SUFFIX:
            rest = s[pos:]
            pre = [i for i, x in enumerate(PRE_SUFFIXES) if rest.startswith(x)]
            post = [i for i, x in enumerate(POST_SUFFIXES) if rest.startswith(x)]
            if pre:
                out.append((SUFFIX, pre[0] - len(PRE_SUFFIXES)))
                pos += len(PRE_SUFFIXES[pre[0]])
            elif post:
                out.append((SUFFIX, post[0]))
                pos += len(POST_SUFFIXES[post[0]])
            else:
                out.extend([(SUFFIX, -1), (INVALID, 0)])
                return out
        if pos >= len(s):
            return out
        kind, pos = _following_kind(kind, s, pos)
        if kind == END:
            return out
        if kind == INVALID:
            out.append((INVALID, 0))
            return out


def _following_kind(prev, s, pos):
    c = s[pos]
    if c == "\0":
        return END, pos
    if prev in (NUM, DOT) and "a" <= c <= "z":
        nxt = LETTER
    elif prev == LETTER and "0" <= c <= "9":
        nxt = NUM
    elif prev == SUFFIX and "0" <= c <= "9":
        nxt = SUFFIX_NUM
    elif c == ".":
        nxt, pos = DOT, pos + 1
    elif c == "_":
        nxt, pos = SUFFIX, pos + 1
    elif c == "-" and s[pos + 1:pos + 2] == "r":
        nxt, pos = REV, pos + 2
    else:
        nxt, pos = INVALID, pos + 1
    # Kinds only move forward, apart from starting a new component.
    allowed_back = {(NUM, DOT), (SUFFIX_NUM, SUFFIX), (LETTER, NUM)}
    if nxt < prev and (prev, nxt) not in allowed_back:
        nxt = INVALID
    return nxt, pos


def apk_compare(a, b):
    """-1, 0 or 1: how version a orders against version b for apk."""
    ta, tb = apk_tokens(a), apk_tokens(b)
    for i in range(max(len(ta), len(tb)) + 1):
        ka, va = ta[i] if i < len(ta) else (END, 0)
        kb, vb = tb[i] if i < len(tb) else (END, 0)
        if ka != kb:
            if ka == SUFFIX and va < 0:
                return -1
            if kb == SUFFIX and vb < 0:
                return 1
            return -1 if ka > kb else 1
        if ka in (END, INVALID):
            return 0
        if va != vb:
            return -1 if va < vb else 1
    return 0


def selftest():
    ordered = [
        "1.2", "1.2.0", "1.2.3_alpha", "1.2.3_alpha1", "1.2.3_beta2", "1.2.3_pre1",
        "1.2.3_rc1", "1.2.3_rc2", "1.2.3", "1.2.3-r0", "1.2.3-r1", "1.2.3-r10",
        "1.2.3_p1", "1.2.3_p1-r1", "1.2.3_p2", "1.2.3a", "1.2.3b", "1.2.3.1",
        "1.2.4", "1.10",
    ]
    for i, x in enumerate(ordered):
        for j, y in enumerate(ordered):
            want = (i > j) - (i < j)
            got = apk_compare(x, y)
            assert got == want, "apk_compare(%r, %r) = %d, want %d" % (x, y, got, want)
    # post-release suffixes in apk's own order, all above the plain release
    assert apk_compare("1.0_cvs1", "1.0_svn1") < 0
    assert apk_compare("1.0_git1", "1.0_hg1") < 0
    assert apk_compare("1.0_hg1", "1.0_p1") < 0
    assert apk_compare("1.0", "1.0_cvs1") < 0
    # equal spellings
    assert apk_compare("1.1.1w-r1", "1.1.1w-r1") == 0
    # real data: installed openssl 1.1.1w-r1 is past the 1.1.1t-r0 fix
    assert apk_compare("1.1.1w-r1", "1.1.1t-r0") > 0
    assert apk_compare("1.1.1t-r2", "1.1.1w-r1") < 0
    # a bare version sorts below any -rN of it; revisions compare numerically
    assert apk_compare("1.2.12-r3", "1.2.12-r2") > 0
    assert apk_compare("1.2.12-r3", "1.2.13-r0") < 0
    # leading zeros after a dot weigh by count and sort before any nonzero digit
    assert apk_compare("1.01", "1.1") < 0
    assert apk_compare("1.001", "1.01") < 0
    # dates
    assert apk_compare("20230506-r0", "20240226-r0") < 0
    # the dpkg oracle, if present
    if shutil.which("dpkg"):
        assert dpkg_lt("1.0~rc1", "1.0")
        assert not dpkg_lt("1:0.9", "2.0")
        assert dpkg_lt("3.0.11-1~deb12u2", "3.0.11-1")
    print("selftest ok")


# ---------------------------------------------------------- advisories ----

def debian_statements(adv_dir, sources):
    """{(src, cve): (affected_predicate_input)} as {(src,cve): ('fixed', F) |
    ('unfixed', None) | ('notaffected', None)} with tracker > DEBIAN-CVE > DSA."""
    rank = {}   # (src, cve) -> (rank, [statements]) lower rank wins
    with open(os.path.join(adv_dir, "debian", "tracker.json"), encoding="utf-8") as f:
        tracker = json.load(f)
    for src in sources:
        for cve, entry in (tracker.get(src) or {}).items():
            rel = (entry.get("releases") or {}).get(DEBIAN_RELEASE)
            if not rel:
                continue
            status = rel.get("status")
            if status == "resolved":
                fv = rel.get("fixed_version")
                st = ("notaffected", None) if fv == "0" else ("fixed", fv)
            elif status in ("open", "undetermined"):
                st = ("unfixed", None)
            else:
                continue
            _add(rank, (src, cve), 0, st)
    zpath = os.path.join(adv_dir, "osv", DEBIAN_OSV_ECOSYSTEM, "all.zip")
    with zipfile.ZipFile(zpath) as z:
        for name in sorted(z.namelist()):
            if not name.endswith(".json"):
                continue
            rec = json.loads(z.read(name))
            rid = rec.get("id", "")
            if rid.startswith("DEBIAN-CVE-"):
                r = 1
            elif rid.startswith("DSA-"):
                r = 2
            else:
                r = 3
            cves = [u for u in rec.get("upstream") or [] if u.startswith("CVE-")]
            for aff in rec.get("affected") or []:
                pkg = aff.get("package") or {}
                if pkg.get("ecosystem") != DEBIAN_OSV_ECOSYSTEM:
                    continue
                src = pkg.get("name")
                if src not in sources:
                    continue
                for rng in aff.get("ranges") or []:
                    if rng.get("type") != "ECOSYSTEM":
                        continue
                    intro, fixed = None, None
                    for ev in rng.get("events") or []:
                        if "introduced" in ev:
                            intro = ev["introduced"]
                        if "fixed" in ev:
                            fixed = ev["fixed"]
                    if intro != "0":
                        raise SystemExit("%s: unexpected introduced %r" % (rid, intro))
                    st = ("fixed", fixed) if fixed is not None else ("unfixed", None)
                    for cve in cves:
                        _add(rank, (src, cve), r, st)
    return rank


def _add(rank, key, r, st):
    cur = rank.get(key)
    if cur is None or r < cur[0]:
        rank[key] = (r, [st])
    elif r == cur[0]:
        cur[1].append(st)


def debian_findings(pkgs, adv_dir):
    by_src = {}
    for p in pkgs:
        by_src.setdefault(p["src"], []).append(p)
    stmts = debian_statements(adv_dir, set(by_src))
    out = []
    for (src, cve), (_, sts) in stmts.items():
        for p in by_src[src]:
            fixes = []
            for kind, fv in sts:
                if kind == "unfixed":
                    fixes.append("unfixed")
                elif kind == "fixed" and dpkg_lt(p["srcver"], fv):
                    fixes.append(fv)
            if fixes:
                out.append({"id": cve, "package": p["name"], "installed": p["version"],
                            "fixed": _smallest(fixes, dpkg_lt)})
    return out


def alpine_findings(pkgs, adv_dir):
    secfixes = {}  # origin -> list of (version, [ids])
    for repo in ("main", "community"):
        path = os.path.join(adv_dir, "alpine-secdb", ALPINE_BRANCH, repo + ".json")
        with open(path, encoding="utf-8") as f:
            db = json.load(f)
        for entry in db.get("packages") or []:
            pkg = entry["pkg"]
            for ver, ids in (pkg.get("secfixes") or {}).items():
                secfixes.setdefault(pkg["name"], []).append((ver, ids or []))
    out = []
    for p in pkgs:
        per_id = {}
        for ver, ids in secfixes.get(p["origin"], []):
            if ver == "0" or apk_compare(p["version"], ver) >= 0:
                continue
            for raw in ids:
                toks = raw.split()
                if not toks:
                    continue
                cves = [t for t in toks if t.startswith("CVE-")] or [toks[0]]
                for vid in cves:
                    per_id.setdefault(vid, []).append(ver)
        for vid, vers in per_id.items():
            out.append({"id": vid, "package": p["name"], "installed": p["version"],
                        "fixed": _smallest(vers, lambda a, b: apk_compare(a, b) < 0)})
    return out


def _smallest(fixes, lt):
    best = None
    for f in fixes:
        if best is None or best == "unfixed" or (f != "unfixed" and lt(f, best)):
            best = f
    return best


def main(argv):
    if argv[1:] == ["--selftest"]:
        selftest()
        return 0
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    image, adv_dir = argv[1], argv[2]
    kind, text = read_package_db(image)
    if kind == "dpkg":
        findings = debian_findings(parse_dpkg_status(text), adv_dir)
    else:
        findings = alpine_findings(parse_apk_installed(text), adv_dir)
    findings.sort(key=lambda f: (f["id"], f["package"], f["installed"], f["fixed"]))
    json.dump(findings, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
