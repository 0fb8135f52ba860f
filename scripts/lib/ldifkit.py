#!/usr/bin/env python3
"""Small, independent LDIF helpers for scripts/e2e-samba.sh.

This is deliberately a second implementation, separate from ldifix's own parser, so that the
end-to-end proof does not check ldifix with ldifix. Subcommands:

  canon SNAPSHOT...            canonical text of ldbsearch snapshots (samba-notes.md section 9)
  ldifde IN OUT [--fold N] [--utf16]
                               ldifde-shaped copy of an ldbsearch export (samba-notes.md section 6)
  check-fix ...                the change/undo files ldifix fix wrote, against an independent plan
  check-apply BEFORE AFTER CHANGES...
                               AFTER == BEFORE with exactly the change files applied
  inject IN OUT --at K --dn DN --upn VALUE
                               copy of a change file with one extra UPN replace inserted as record K
  chunk IN PREFIX [--size N]   split a content LDIF file into ldbadd chunks of at most N records
  head FILE N                  the first N records of a change file
  same-records A B             two change files hold the same records (suffix registration aside)
  suffix-records FILE          the uPNSuffixes registration records of a change file
  records FILE                 number of records (blocks starting with dn:) in an LDIF file

Every check prints what it compared and exits 1 with the differences on failure.
"""

import argparse
import base64
import json
import re
import sys
import uuid

# Attributes that change on every write or bind (samba-notes.md section 9).
VOLATILE = {
    a.lower()
    for a in (
        "whenChanged uSNChanged dSCorePropagationData modifyTimestamp replPropertyMetaData "
        "lastLogonTimestamp lastLogon logonCount badPasswordTime badPwdCount msDS-RevealedUsers"
    ).split()
}


# --------------------------------------------------------------------------------------------
# Reading


class Record:
    """One LDIF record: dn (bytes), changetype (str or None), attrs [(name, bytes)], mods."""

    def __init__(self, dn, line):
        self.dn = dn
        self.line = line
        self.changetype = None
        self.attrs = []  # content / add records
        self.mods = []  # modify records: [op, attr, [values]]


def logical_lines(data):
    """Yield (line_number, text_bytes) of unfolded lines; b'' marks a record separator.

    Accepts LF and CRLF, a UTF-8 BOM, comments (also folded ones)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    phys = data.split(b"\n")
    if phys and phys[-1] == b"":
        phys.pop()
    cur = None
    cur_no = 0
    in_comment = False
    for no, raw in enumerate(phys, 1):
        line = raw[:-1] if raw.endswith(b"\r") else raw
        if line.startswith(b" "):
            if in_comment:
                continue
            if cur is None:
                raise ValueError(f"line {no}: continuation line without a line to continue")
            cur += line[1:]
            continue
        if cur is not None:
            yield cur_no, cur
            cur = None
        in_comment = False
        if line.startswith(b"#"):
            in_comment = True
            continue
        if line == b"":
            yield no, b""
            continue
        cur, cur_no = line, no
    if cur is not None:
        yield cur_no, cur


def split_attr(line, no):
    """Split an unfolded 'name: value' / 'name:: base64' line into (name, bytes)."""
    i = line.find(b":")
    if i <= 0:
        raise ValueError(f"line {no}: expected 'name: value', got {line[:60]!r}")
    name = line[:i].decode("ascii").strip()
    rest = line[i + 1 :]
    if rest.startswith(b":"):
        return name, base64.b64decode(rest[1:].strip(), validate=True)
    if rest.startswith(b"<"):
        raise ValueError(f"line {no}: URL values are not used here")
    if rest.startswith(b" "):
        rest = rest[1:]
    return name, rest


def parse(data):
    """Parse LDIF bytes into a list of Records. Blocks without dn: (ref:, search:, result:,
    version:) are skipped."""
    blocks = []
    block = []
    for no, line in logical_lines(data):
        if line == b"":
            if block:
                blocks.append(block)
                block = []
        else:
            block.append((no, line))
    if block:
        blocks.append(block)
    out = []
    for block in blocks:
        if block[0][1].lower().startswith(b"version:"):
            block = block[1:]
            if not block:
                continue
        no, first = block[0]
        name, dn = split_attr(first, no)
        if name.lower() != "dn":
            continue  # ref / search / result blocks
        rec = Record(dn, no)
        body = block[1:]
        if body and split_attr(body[0][1], body[0][0])[0].lower() == "changetype":
            rec.changetype = split_attr(body[0][1], body[0][0])[1].decode().strip().lower()
            body = body[1:]
        if rec.changetype == "modify":
            mod = None
            for no, line in body:
                if line == b"-":
                    mod = None
                    continue
                n, v = split_attr(line, no)
                if mod is None:
                    if n.lower() not in ("add", "delete", "replace"):
                        raise ValueError(f"line {no}: expected add/delete/replace, got {n}")
                    mod = [n.lower(), v.decode().strip(), []]
                    rec.mods.append(mod)
                else:
                    if n.lower() != mod[1].lower():
                        raise ValueError(f"line {no}: value for {n} inside a {mod[1]} mod-spec")
                    mod[2].append(v)
        else:
            for no, line in body:
                rec.attrs.append(split_attr(line, no))
        out.append(rec)
    return out


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    if data.startswith(b"\xff\xfe"):
        data = data[2:].decode("utf-16-le").encode("utf-8")
    return parse(data)


# --------------------------------------------------------------------------------------------
# DNs


def split_dn(dn):
    """Split a DN string into RDN strings (escapes kept), honouring backslash escapes."""
    parts, cur, i = [], "", 0
    while i < len(dn):
        c = dn[i]
        if c == "\\" and i + 1 < len(dn):
            cur += dn[i : i + 2]
            i += 2
            continue
        if c == ",":
            parts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    if cur or parts:
        parts.append(cur)
    return parts


def unescape(v):
    """RFC 4514 value unescaping: \\XX hex pairs and \\<char>."""
    out = bytearray()
    i = 0
    b = v.encode("utf-8")
    while i < len(b):
        c = b[i : i + 1]
        if c == b"\\" and i + 1 < len(b):
            h = b[i + 1 : i + 3]
            if len(h) == 2 and re.fullmatch(rb"[0-9A-Fa-f]{2}", h):
                out += bytes.fromhex(h.decode())
                i += 3
                continue
            out += b[i + 1 : i + 2]
            i += 2
            continue
        out += c
        i += 1
    return out.decode("utf-8", "replace")


def dn_key(dn):
    """Semantic comparison key of a DN (bytes or str): types and values case-folded, escapes
    resolved, so Samba's `\\3B` and a change file's `\\;` compare equal."""
    if isinstance(dn, bytes):
        dn = dn.decode("utf-8")
    key = []
    for rdn in split_dn(dn):
        t, _, v = rdn.partition("=")
        key.append(t.strip().lower() + "=" + unescape(v.strip()).casefold())
    return ",".join(key)


def upper_rdn_types(dn):
    out = []
    for rdn in split_dn(dn):
        t, eq, v = rdn.partition("=")
        out.append(t.upper() + eq + v)
    return ",".join(out)


# --------------------------------------------------------------------------------------------
# canon


def show(v):
    try:
        s = v.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(v).decode()
    return json.dumps(s, ensure_ascii=False)


def snapshot(paths):
    """{dn_key: (dn_text, {attr_lower: (attr_name, sorted [values])})} from ldbsearch outputs,
    volatile attributes dropped."""
    snap = {}
    for p in paths:
        for r in read(p):
            attrs = {}
            for n, v in r.attrs:
                if n.lower() in VOLATILE:
                    continue
                attrs.setdefault(n.lower(), (n, []))[1].append(v)
            for k in attrs:
                attrs[k][1].sort()
            key = dn_key(r.dn)
            if key in snap:
                raise ValueError(f"{p}: DN {r.dn!r} appears twice")
            snap[key] = (r.dn.decode("utf-8", "replace"), attrs)
    return snap


def canon_text(snap):
    lines = []
    for key in sorted(snap):
        dn, attrs = snap[key]
        lines.append("dn: " + json.dumps(dn, ensure_ascii=False))
        for a in sorted(attrs):
            name, vals = attrs[a]
            for v in vals:
                lines.append(f"  {name}: {show(v)}")
        lines.append("")
    return "\n".join(lines) + "\n"


def cmd_canon(args):
    sys.stdout.write(canon_text(snapshot(args.files)))


# --------------------------------------------------------------------------------------------
# ldifde shape


def needs_b64(v):
    if not v:
        return False
    if any(b < 0x20 or b > 0x7E for b in v):
        return True
    return v[:1] in (b" ", b":", b"<") or v[-1:] == b" "


def sid_bytes(s):
    parts = s.split("-")
    if len(parts) < 3 or parts[0] != "S":
        raise ValueError(f"not a SID: {s}")
    rev, auth, subs = int(parts[1]), int(parts[2]), [int(x) for x in parts[3:]]
    out = bytes([rev, len(subs)]) + auth.to_bytes(6, "big")
    for x in subs:
        out += x.to_bytes(4, "little")
    return out


def fold(line, width):
    if not width or len(line) <= width:
        return [line]
    out = [line[:width]]
    rest = line[width:]
    while rest:
        out.append(b" " + rest[: width - 1])
        rest = rest[width - 1 :]
    return out


def ldifde_lines(records, width):
    yield b""
    for r in records:
        dn = upper_rdn_types(r.dn.decode("utf-8")).encode("utf-8")
        yield from fold(b"dn:: " + base64.b64encode(dn) if needs_b64(dn) else b"dn: " + dn, width)
        yield b"changetype: add"
        for n, v in r.attrs:
            if n.lower() == "objectguid" and not v.startswith(b"\x00") and len(v) == 36:
                v = uuid.UUID(v.decode()).bytes_le
            elif n.lower() == "objectsid" and v.startswith(b"S-"):
                v = sid_bytes(v.decode())
            elif n.lower() in ("distinguishedname",):
                v = upper_rdn_types(v.decode("utf-8")).encode("utf-8")
            nb = n.encode("ascii")
            line = nb + b":: " + base64.b64encode(v) if needs_b64(v) else nb + b": " + v
            yield from fold(line, width)
        yield b""


def cmd_ldifde(args):
    recs = read(args.input)
    text = b"".join(l + b"\r\n" for l in ldifde_lines(recs, args.fold))
    if args.utf16:
        text = b"\xff\xfe" + text.decode("utf-8").encode("utf-16-le")
    with open(args.output, "wb") as f:
        f.write(text)
    print(f"{args.output}: {len(recs)} records, fold {args.fold or 'none'}"
          f"{', UTF-16LE' if args.utf16 else ''}")


# --------------------------------------------------------------------------------------------
# check-fix

UPN_OK = re.compile(r"[A-Za-z0-9'.\-_!#^~]+")


def entra_upn_ok(upn):
    """Conservative Entra username check (formats.md section 5.1)."""
    prefix, at, suffix = upn.rpartition("@")
    if not at or "@" in prefix or not prefix or not suffix:
        return False
    if len(upn) > 113 or len(prefix) > 64 or len(suffix) > 48:
        return False
    if not UPN_OK.fullmatch(prefix) or prefix.endswith(".") or prefix.startswith("."):
        return False
    return re.fullmatch(r"[A-Za-z0-9.-]+", suffix) is not None


def first(rec, name):
    for n, v in rec.attrs:
        if n.lower() == name.lower():
            return v
    return None


def every(rec, name):
    return [v for n, v in rec.attrs if n.lower() == name.lower()]


def plan(export, old, new):
    """Independent plan: every UPN whose suffix is `old` (case-insensitive) gets suffix `new`.
    Returns (candidates {dn_key: (dn, old_upn, new_upn)}, taken {casefolded value: {dn_key}})."""
    cands, taken = {}, {}
    for r in export:
        k = dn_key(r.dn)
        upn = first(r, "userPrincipalName")
        values = []
        if upn is not None:
            values.append(upn)
        values += every(r, "mail")
        for p in every(r, "proxyAddresses"):
            t, _, addr = p.partition(b":")
            if t.lower() == b"smtp":
                values.append(addr)
        for v in values:
            taken.setdefault(v.decode("utf-8", "replace").casefold(), set()).add(k)
        if upn is None:
            continue
        s = upn.decode("utf-8", "replace")
        prefix, at, suffix = s.rpartition("@")
        if at and suffix.casefold() == old.casefold():
            cands[k] = (r.dn, s, prefix + "@" + new)
    return cands, taken


def check_change_file_shape(path, dialect, errors):
    data = open(path, "rb").read()
    if dialect == "ldifde":
        if not data.startswith(b"\r\n"):
            errors.append(f"{path}: does not start with an empty CRLF line")
        if re.search(rb"(?<!\r)\n", data):
            errors.append(f"{path}: has a line not ended by CRLF")
    if any(b > 0x7E or (b < 0x20 and b not in (0x0A, 0x0D)) for b in data):
        errors.append(f"{path}: not pure printable ASCII")
    if re.search(rb"[ \t]\r?\n", data):
        errors.append(f"{path}: a line ends with whitespace")
    if re.search(rb"(?im)^version:", data):
        errors.append(f"{path}: has a version: line")
    # every mod-spec closed by '-'
    for block in re.split(rb"(?:\r?\n){2,}", data.strip(b"\r\n")):
        lines = block.splitlines()
        if lines and not lines[-1] == b"-":
            errors.append(f"{path}: record not closed by '-': {lines[0][:80]!r}")


def cmd_check_fix(args):
    export = read(args.export)
    cands, taken = plan(export, args.old, args.new)
    changes = [r for r in read(args.changes)]
    undo = [r for r in read(args.undo)]
    errors = []
    check_change_file_shape(args.changes, args.dialect, errors)
    check_change_file_shape(args.undo, args.dialect, errors)

    written = {}
    suffix_records = 0
    for r in changes:
        if r.changetype != "modify":
            errors.append(f"changes: record {r.dn!r} is not changetype: modify")
            continue
        k = dn_key(r.dn)
        if k.startswith("cn=partitions,cn=configuration,"):
            ok = [m for m in r.mods if m[1].lower() == "upnsuffixes"]
            if ok and all(v.decode() == args.new for m in ok for v in m[2]):
                suffix_records += 1
                continue
        if k in written:
            errors.append(f"changes: two records for {r.dn!r}")
        for op, attr, vals in r.mods:
            if attr.lower() != "userprincipalname" or op != "replace" or len(vals) != 1:
                errors.append(f"changes: unexpected mod {op}: {attr} {vals!r} on {r.dn!r}")
                continue
            written[k] = vals[0].decode("utf-8", "replace")
    if args.register_suffix and suffix_records != 1:
        errors.append(f"changes: expected one uPNSuffixes record for {args.new}, found {suffix_records}")

    clean, invalid, colliding = set(), set(), set()
    news = {}
    for k, (_, _, new) in cands.items():
        news.setdefault(new.casefold(), set()).add(k)
    for k, (dn, old, new) in cands.items():
        others = (taken.get(new.casefold(), set()) | news[new.casefold()]) - {k}
        if others:
            colliding.add(k)
        elif not entra_upn_ok(new):
            invalid.add(k)
        else:
            clean.add(k)

    for k, val in written.items():
        if k not in cands:
            errors.append(f"changes: {k} is not a candidate ({val})")
        elif val != cands[k][2]:
            errors.append(f"changes: {k}: wrote {val!r}, expected {cands[k][2]!r}")
        if k in colliding:
            errors.append(f"changes: colliding rewrite written: {k} -> {val}")
        if re.search(r"[\s\\%&*+/=?{}|<>();:,\[\]\"]|[^\x00-\x7f]", val) or val.count("@") != 1:
            errors.append(f"changes: new UPN is not valid for Entra: {val!r}")
    for k in clean:
        if k not in written:
            errors.append(f"changes: candidate missing: {cands[k][0]!r} {cands[k][1]} -> {cands[k][2]}")
    for dn in args.must_refuse:
        if dn_key(dn) in written:
            errors.append(f"changes: rewrite of {dn} should have been refused")
        if dn_key(dn) not in colliding:
            errors.append(f"plan: {dn} was expected to be a colliding candidate")

    # undo: exact inverse of the UPN changes
    undone = {}
    for r in undo:
        k = dn_key(r.dn)
        if k.startswith("cn=partitions,cn=configuration,"):
            continue
        for op, attr, vals in r.mods:
            if attr.lower() != "userprincipalname" or op != "replace" or len(vals) != 1:
                errors.append(f"undo: unexpected mod {op}: {attr} on {r.dn!r}")
                continue
            undone[k] = vals[0].decode("utf-8", "replace")
    if set(undone) != set(written):
        errors.append(f"undo: DNs differ from changes: only in changes {sorted(set(written) - set(undone))[:5]}, "
                      f"only in undo {sorted(set(undone) - set(written))[:5]}")
    for k, val in undone.items():
        if k in cands and val != cands[k][1]:
            errors.append(f"undo: {k}: restores {val!r}, original is {cands[k][1]!r}")

    print(f"candidates {len(cands)}: clean {len(clean)}, colliding {len(colliding)}, "
          f"not valid for Entra {len(invalid)}; written {len(written)} "
          f"(of which not-valid {len(set(written) & invalid)}), undo records {len(undone)}, "
          f"suffix records {suffix_records}")
    for k in sorted(colliding):
        print(f"  refused collision: {cands[k][1]} -> {cands[k][2]}")
    for k in sorted(invalid - set(written)):
        print(f"  not written (invalid for Entra): {cands[k][1]!r} -> {cands[k][2]!r}")
    if args.expect_written is not None:
        with open(args.expect_written, "w") as f:
            f.write(f"{len(written)}\n")
    fail(errors)


def fail(errors):
    if errors:
        for e in errors[:40]:
            print("ERROR:", e)
        if len(errors) > 40:
            print(f"... and {len(errors) - 40} more")
        sys.exit(1)
    print("OK")


# --------------------------------------------------------------------------------------------
# check-apply


def apply_changes(snap, records):
    for r in records:
        if r.changetype != "modify":
            raise ValueError(f"only modify records are modelled, got {r.changetype} on {r.dn!r}")
        k = dn_key(r.dn)
        if k not in snap:
            raise ValueError(f"change for a DN not in the snapshot: {r.dn!r}")
        attrs = snap[k][1]
        for op, attr, vals in r.mods:
            a = attr.lower()
            if a in VOLATILE:
                continue
            cur = attrs.get(a, (attr, []))[1]
            if op == "replace":
                cur = list(vals)
            elif op == "add":
                cur = cur + list(vals)
            elif op == "delete":
                cur = [] if not vals else [v for v in cur if v not in vals]
            if cur:
                attrs[a] = (attrs.get(a, (attr, []))[0], sorted(cur))
            else:
                attrs.pop(a, None)


def cmd_check_apply(args):
    before = snapshot(args.before)
    after = snapshot(args.after)
    expected = snapshot(args.before)
    changes = []
    for p in args.changes:
        changes += read(p)
    apply_changes(expected, changes)
    errors = []
    changed = 0
    for k in sorted(set(expected) | set(after)):
        if k not in after:
            errors.append(f"object vanished: {expected[k][0]}")
            continue
        if k not in expected:
            errors.append(f"object appeared: {after[k][0]}")
            continue
        ea, aa = expected[k][1], after[k][1]
        if aa != before[k][1]:
            changed += 1
        for a in sorted(set(ea) | set(aa)):
            ev = ea.get(a, ("", []))[1]
            av = aa.get(a, ("", []))[1]
            if ev != av:
                bv = before[k][1].get(a, ("", []))[1]
                errors.append(f"{after[k][0]}: {a}: before {[show(v) for v in bv]}, "
                              f"expected {[show(v) for v in ev]}, found {[show(v) for v in av]}")
    print(f"{len(after)} objects; {len(changes)} change records; {changed} objects differ from before")
    if args.changed is not None and changed != args.changed:
        errors.append(f"{changed} objects changed, expected {args.changed}")
    fail(errors)


# --------------------------------------------------------------------------------------------
# inject / records


def cmd_inject(args):
    data = open(args.input, "rb").read()
    nl = b"\r\n" if b"\r\n" in data else b"\n"
    lead = nl if data.startswith(nl) else b""
    body = data[len(lead):]
    recs = [b for b in re.split(re.escape(nl) + rb"(?:" + re.escape(nl) + rb")+", body.strip(b"\r\n")) if b]
    new = nl.join([b"dn: " + args.dn.encode(), b"changetype: modify", b"replace: userPrincipalName",
                   b"userPrincipalName: " + args.upn.encode(), b"-"])
    k = max(1, min(args.at, len(recs) + 1))
    recs.insert(k - 1, new)
    with open(args.output, "wb") as f:
        f.write(lead + (nl + nl).join(recs) + nl + nl)
    print(f"{args.output}: {len(recs)} records, injected {args.dn} -> {args.upn} as record {k}")


def cmd_chunk(args):
    """Split a content LDIF file into files of at most --size records, keeping record order and
    each record's bytes (comments and blank-line-only blocks are dropped)."""
    data = open(args.input, "rb").read().replace(b"\r\n", b"\n")
    blocks = []
    for block in re.split(rb"\n\s*\n", data):
        lines = [l for l in block.split(b"\n") if l and not l.startswith(b"#")]
        if lines and lines[0].lower().startswith(b"dn:"):
            blocks.append(b"\n".join(lines) + b"\n")
        elif lines and not lines[0].lower().startswith(b"version:"):
            raise ValueError(f"{args.input}: block does not start with dn: {lines[0][:60]!r}")
    n = 0
    for i in range(0, len(blocks), args.size):
        n += 1
        with open(f"{args.prefix}{n:03d}.ldif", "wb") as f:
            f.write(b"\n".join(blocks[i : i + args.size]))
    print(f"{len(blocks)} records in {n} chunks of at most {args.size}")


def cmd_head(args):
    """Print the first N records of an LDIF file (LF line ends, the leading empty line dropped)."""
    data = open(args.input, "rb").read().replace(b"\r\n", b"\n").lstrip(b"\n")
    blocks = [b for b in re.split(rb"\n{2,}", data) if b.strip()]
    sys.stdout.buffer.write(b"".join(b.rstrip(b"\n") + b"\n\n" for b in blocks[: args.n]))


def change_key(r):
    return (dn_key(r.dn), r.changetype, [(op, a.lower(), vals) for op, a, vals in r.mods])


def cmd_same_records(args):
    """A and B hold the same change records, records on CN=Partitions,CN=Configuration left out."""
    def load(p):
        return [change_key(r) for r in read(p) if not dn_key(r.dn).startswith("cn=partitions,cn=configuration,")]
    a, b = load(args.a), load(args.b)
    if a != b:
        diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        fail([f"{args.a} ({len(a)} records) and {args.b} ({len(b)} records) differ"
              + (f", first at record {diff[0] + 1}" if diff else "")])
    print(f"{args.a} and {args.b}: the same {len(a)} records (suffix registration aside)")


def cmd_suffix_records(args):
    """Print the records of a change file that modify CN=Partitions,CN=Configuration (LF)."""
    for r in read(args.input):
        if dn_key(r.dn).startswith("cn=partitions,cn=configuration,"):
            out = [b"dn: " + r.dn, b"changetype: " + r.changetype.encode()]
            for op, a, vals in r.mods:
                out.append(op.encode() + b": " + a.encode())
                out += [a.encode() + b": " + v for v in vals]
                out.append(b"-")
            sys.stdout.buffer.write(b"\n".join(out) + b"\n\n")


def cmd_records(args):
    print(len(read(args.file)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("canon")
    p.add_argument("files", nargs="+")
    p.set_defaults(fn=cmd_canon)
    p = sub.add_parser("ldifde")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--fold", type=int, default=80)
    p.add_argument("--utf16", action="store_true")
    p.set_defaults(fn=cmd_ldifde)
    p = sub.add_parser("check-fix")
    p.add_argument("--export", required=True)
    p.add_argument("--changes", required=True)
    p.add_argument("--undo", required=True)
    p.add_argument("--old", required=True)
    p.add_argument("--new", required=True)
    p.add_argument("--dialect", choices=["ldifde", "lf"], default="ldifde")
    p.add_argument("--must-refuse", action="append", default=[])
    p.add_argument("--register-suffix", action="store_true")
    p.add_argument("--expect-written")
    p.set_defaults(fn=cmd_check_fix)
    p = sub.add_parser("check-apply")
    p.add_argument("--before", nargs="+", required=True)
    p.add_argument("--after", nargs="+", required=True)
    p.add_argument("--changes", nargs="*", default=[])
    p.add_argument("--changed", type=int)
    p.set_defaults(fn=cmd_check_apply)
    p = sub.add_parser("inject")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--at", type=int, required=True)
    p.add_argument("--dn", required=True)
    p.add_argument("--upn", required=True)
    p.set_defaults(fn=cmd_inject)
    p = sub.add_parser("chunk")
    p.add_argument("input")
    p.add_argument("prefix")
    p.add_argument("--size", type=int, default=500)
    p.set_defaults(fn=cmd_chunk)
    p = sub.add_parser("head")
    p.add_argument("input")
    p.add_argument("n", type=int)
    p.set_defaults(fn=cmd_head)
    p = sub.add_parser("same-records")
    p.add_argument("a")
    p.add_argument("b")
    p.set_defaults(fn=cmd_same_records)
    p = sub.add_parser("suffix-records")
    p.add_argument("input")
    p.set_defaults(fn=cmd_suffix_records)
    p = sub.add_parser("records")
    p.add_argument("file")
    p.set_defaults(fn=cmd_records)
    args = ap.parse_args()
    try:
        args.fn(args)
    except (ValueError, OSError) as e:
        print(f"ldifkit {args.cmd}: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
