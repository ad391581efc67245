#!/usr/bin/env python3
"""`upgrade-lab inspect` of LDIF files: two binaries must print the same, byte for byte.

    python3 benches/ldif_inspect_same.py OLD_BINARY NEW_BINARY [WORK_DIR]

Opt-in (not run by CI): a check for speed work on the LDIF reader. It compares standard
output, standard error and the exit code of `inspect FILE` and `inspect --format json FILE`
(and `--fail-on-defects`) for:

* the 100,000-entry file `benches/ldif_vs_slapadd.sh` times (CRLF), the same with LF line
  ends, a 65,000-object file with every planted defect kind, two domains, OU depth 3 and a
  group of 50,000 members (a record longer than a read window), the file with a byte order
  mark and as UTF-16, and each read from standard input;
* every `.ldif` file under tests/, crates/*/tests, crates/fuzz/corpus, scenarios/ and
  simulator/tests, alone and appended to the large file;
* error files made from the large file: bad UTF-8 early, late and in the last part, a
  duplicate DN and a duplicate objectGUID across parts, a bad number, a bad time, a second
  value, base64 that is not UTF-8, a line without a colon, a second `version:`, a record
  without `dn:`, a URL value.

Large files are written to WORK_DIR (default: a temporary directory) one at a time and
deleted after use. Prints one line per case and `SAME` or the differing cases at the end.
"""

import glob
import os
import subprocess
import sys
import tempfile

OLD, NEW = sys.argv[1], sys.argv[2]
WORK = sys.argv[3] if len(sys.argv) > 3 else tempfile.mkdtemp()
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIFFERENT = []
RUNS = 0


def run(binary, args, stdin=None):
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as inp:
        p = subprocess.run([binary, "inspect", *args], stdin=inp, capture_output=True)
    return p.returncode, p.stdout, p.stderr


def compare(name, path, stdin=False):
    global RUNS
    for flags in ([], ["--format", "json"], ["--fail-on-defects"]):
        args = [*flags, "-" if stdin else path]
        a = run(OLD, args, path if stdin else None)
        b = run(NEW, args, path if stdin else None)
        RUNS += 1
        same = a == b
        if not same:
            DIFFERENT.append((name, flags))
        first = (a[2].decode(errors="replace").splitlines() or [""])[0][:90]
        print(f"{'same' if same else 'DIFFERENT'}  exit {a[0]}  {name} {' '.join(flags)}  {first}")


def generate(path, *flags):
    subprocess.run([NEW, "generate", "--seed", "1", *flags, "--out", path],
                   check=True, capture_output=True)


def write(name, data):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def line_at(data, fraction):
    """The offset of the first record start (`\\r\\ndn: `) after `fraction` of `data`."""
    return data.index(b"\r\n\r\ndn: ", int(len(data) * fraction)) + 4


def record_after(data, fraction, needle):
    """The offset of the first line starting with `needle` in a record after `fraction`."""
    start = line_at(data, fraction)
    while True:
        end = data.index(b"\r\n\r\n", start)
        at = data.find(b"\r\n" + needle, start, end)
        if at >= 0:
            return at + 2
        start = end + 4


def line_end(data, at):
    """The end of the logical line at `at` (its folded continuation lines included)."""
    end = data.index(b"\r\n", at)
    while data[end + 2:end + 3] == b" ":
        end = data.index(b"\r\n", end + 2)
    return end


def replace_line(data, at, new):
    return data[:at] + new + data[line_end(data, at):]


def insert_line(data, at, new):
    return data[:at] + new + b"\r\n" + data[at:]


def main():
    big = os.path.join(WORK, "ad.ldif")
    generate(big, "--users", "85000", "--groups", "12000", "--contacts", "3000")
    with open(big, "rb") as f:
        data = f.read()
    compare("100k CRLF", big)
    compare("100k CRLF stdin", big, stdin=True)
    compare("100k LF", write("lf.ldif", data.replace(b"\r\n", b"\n")))
    compare("100k BOM", write("bom.ldif", b"\xef\xbb\xbf" + data))
    compare("100k UTF-16", write("utf16.ldif", b"\xff\xfe" + data.decode().encode("utf-16-le")))
    compare("100k no extension", write("noext", data))
    defects = os.path.join(WORK, "defects.ldif")
    generate(defects, "--users", "60000", "--groups", "4000", "--contacts", "1000",
             "--domains", "contoso.com,emea.contoso.com", "--ou-depth", "3",
             "--disabled-per-mille", "90", "--no-sync-users", "20", "--service-accounts", "10",
             "--duplicate-upns", "50", "--duplicate-proxy-addresses", "50",
             "--invalid-upns", "40", "--oversized-groups", "1",
             "--too-many-proxy-addresses", "5")
    compare("65k defects", defects)
    compare("65k defects stdin", defects, stdin=True)
    os.remove(defects)

    small = sorted(
        f for pattern in ("tests/**/*.ldif", "crates/*/tests/**/*.ldif",
                          "crates/fuzz/corpus/**/*.ldif", "scenarios/**/*.ldif",
                          "simulator/tests/**/*.ldif")
        for f in glob.glob(os.path.join(ROOT, pattern), recursive=True))
    for f in small:
        name = os.path.relpath(f, ROOT)
        compare(name, f)
        with open(f, "rb") as g:
            text = g.read()
        # Without its `version:` line, which may only come first.
        for version in (b"version: 1\r\n", b"version: 1\n"):
            text = text.removeprefix(version)
        compare(f"100k + {name}", write("appended.ldif", data + b"\r\n" + text))

    at = record_after(data, 0.05, b"objectGUID:: ")
    guid = data[at:line_end(data, at)]
    at = line_at(data, 0.05)
    dn = data[at:line_end(data, at)]
    cases = {
        "bad UTF-8 early": replace_line(data, record_after(data, 0.001, b"l: "), b"l: Caf\xe9"),
        "bad UTF-8 late": replace_line(data, record_after(data, 0.6, b"l: "), b"l: Caf\xe9"),
        "bad UTF-8 last part": replace_line(data, record_after(data, 0.97, b"l: "), b"l: \xff"),
        "duplicate DN across parts": replace_line(data, line_at(data, 0.9), dn),
        "duplicate objectGUID across parts":
            replace_line(data, record_after(data, 0.8, b"objectGUID:: "), guid),
        "bad number": replace_line(data, record_after(data, 0.5, b"uSNChanged: "),
                                   b"uSNChanged: twelve"),
        "bad time": insert_line(data, record_after(data, 0.4, b"uSNChanged: "),
                                b"whenChanged: 2024-01-01"),
        "second value": insert_line(data, record_after(data, 0.3, b"sAMAccountName: "),
                                    b"sAMAccountName: again"),
        "base64 not UTF-8": insert_line(data, record_after(data, 0.7, b"sn: "),
                                        b"description:: //79"),
        "line without colon": insert_line(data, record_after(data, 0.2, b"sn: "),
                                          b"no colon here"),
        "second version": insert_line(data, line_at(data, 0.45), b"version: 1\r\n"),
        "record without dn": replace_line(data, line_at(data, 0.55), b"cn: nobody"),
        "URL value": insert_line(data, record_after(data, 0.65, b"sn: "),
                                 b"jpegPhoto:< file:///etc/passwd"),
        "dn for a DC entry": replace_line(data, line_at(data, 0.35), b"dn: DC=x,DC=contoso,DC=com"),
    }
    for name, mutated in cases.items():
        assert mutated != data, name
        path = write("error.ldif", mutated)
        compare(name, path)
        if name in ("bad UTF-8 late", "duplicate DN across parts"):
            compare(name + " stdin", path, stdin=True)
    for name in ("lf.ldif", "bom.ldif", "utf16.ldif", "noext", "appended.ldif", "error.ldif"):
        os.remove(os.path.join(WORK, name))
    os.remove(big)
    print(f"{RUNS} runs of each binary")
    if DIFFERENT:
        print("DIFFERENT:", DIFFERENT)
        sys.exit(1)
    print("SAME")


main()
