#!/usr/bin/env bash
# LDIF ingest side by side: `upgrade-lab inspect` of a 100,000-entry AD-like LDIF against
# OpenLDAP's `slapadd -q` loading the same entries (translated to inetOrgPerson users and
# contacts and groupOfNames groups by ldif_to_inetorgperson.py) into a fresh mdb database, in
# interleaved rounds.
#
#   bash benches/ldif_vs_slapadd.sh            # 5 rounds
#   ROUNDS=7 bash benches/ldif_vs_slapadd.sh
#   UPGRADE_LAB_BIN=path/to/upgrade-lab bash benches/ldif_vs_slapadd.sh   # skip the build
#
# Opt-in (not part of `cargo test` or CI). Needs `slapadd` (Debian: `apt-get install slapd`)
# and python3; without them the script says so and exits 0. Prints each round's times, both medians,
# slapadd's version, the load average and the ratio slapadd / inspect; the CPU time of each
# (user + system, from /usr/bin/time) beside it, which the load of a shared machine distorts less.
set -euo pipefail

ROUNDS=${ROUNDS:-5}
N_USERS=85000
N_GROUPS=12000
N_CONTACTS=3000

SLAPADD=$(command -v slapadd || true)
[ -z "$SLAPADD" ] && [ -x /usr/sbin/slapadd ] && SLAPADD=/usr/sbin/slapadd
if [ -z "$SLAPADD" ]; then
    echo "skipped: slapadd is not installed (Debian: apt-get install -y slapd ldap-utils)"
    exit 0
fi
if ! command -v python3 >/dev/null; then
    echo "skipped: python3 is needed to translate the LDIF for slapadd"
    exit 0
fi
SLAPD=$(dirname "$SLAPADD")/slapd
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${UPGRADE_LAB_BIN:-}" ]; then
    (cd "$ROOT" && cargo build --release -q -p upgrade-lab)
    UPGRADE_LAB_BIN="$ROOT/target/release/upgrade-lab"
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The AD-like file, as `upgrade-lab generate` writes it (ldifde style).
"$UPGRADE_LAB_BIN" generate --users $N_USERS --groups $N_GROUPS --contacts $N_CONTACTS --seed 1 \
    --out "$WORK/ad.ldif" >/dev/null 2>&1
ENTRIES=$(grep -c '^dn:' "$WORK/ad.ldif")

# The same entries for slapadd: the AD-like file translated to inetOrgPerson / groupOfNames,
# every attribute that has an inetOrgPerson counterpart kept (ldif_to_inetorgperson.py).
python3 "$ROOT/benches/ldif_to_inetorgperson.py" <"$WORK/ad.ldif" >"$WORK/openldap.ldif"

cat >"$WORK/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
suffix "dc=contoso,dc=com"
rootdn "cn=admin,dc=contoso,dc=com"
directory $WORK/mdb
maxsize 4294967296
EOF

VERSION=$("$SLAPD" -VV 2>&1 | head -1 | sed 's/^ *//') || true
now() { date +%s.%N; }
load() { cut -d' ' -f1 /proc/loadavg; }

echo "slapadd: $SLAPADD ($VERSION)"
echo "upgrade-lab inspect: $UPGRADE_LAB_BIN"
echo "AD-like file: $ENTRIES entries, $(stat -c %s "$WORK/ad.ldif") bytes"
echo "slapadd file: $(grep -c '^dn:' "$WORK/openldap.ldif") entries, $(stat -c %s "$WORK/openldap.ldif") bytes"
echo
# Wall time of a command; its CPU time (user + system, all threads) goes to $WORK/cpu.
timed() {
    local t0 t1
    t0=$(now)
    /usr/bin/time -f '%U %S' -o "$WORK/cpu" "$@"
    t1=$(now)
    echo "$t1 - $t0" | bc -l
}
cpu() { awk '{ print $1 + $2 }' "$WORK/cpu"; }

printf '%-6s %10s %10s %10s %10s %7s %6s\n' round slapadd_s cpu_s inspect_s cpu_s ratio load
SLAPADD_TIMES=()
INSPECT_TIMES=()
SLAPADD_CPU=()
INSPECT_CPU=()
for r in $(seq 1 "$ROUNDS"); do
    rm -rf "$WORK/mdb" && mkdir "$WORK/mdb"
    s=$(timed "$SLAPADD" -q -f "$WORK/slapd.conf" -l "$WORK/openldap.ldif")
    sc=$(cpu)
    i=$(timed sh -c '"$0" inspect "$1" >/dev/null' "$UPGRADE_LAB_BIN" "$WORK/ad.ldif")
    ic=$(cpu)
    SLAPADD_TIMES+=("$s")
    INSPECT_TIMES+=("$i")
    SLAPADD_CPU+=("$sc")
    INSPECT_CPU+=("$ic")
    printf '%-6s %10.3f %10.2f %10.3f %10.2f %7.1f %6s\n' "$r" "$s" "$sc" "$i" "$ic" \
        "$(echo "$s / $i" | bc -l)" "$(load)"
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
MS=$(median "${SLAPADD_TIMES[@]}")
MI=$(median "${INSPECT_TIMES[@]}")
echo
printf 'median slapadd -q: %.3f s   median inspect: %.3f s   ratio: %.1fx (target >= 10)\n' \
    "$MS" "$MI" "$(echo "$MS / $MI" | bc -l)"
MSC=$(median "${SLAPADD_CPU[@]}")
MIC=$(median "${INSPECT_CPU[@]}")
printf 'median CPU time: slapadd -q %.2f s, inspect %.2f s (ratio %.1fx)\n' \
    "$MSC" "$MIC" "$(echo "$MSC / $MIC" | bc -l)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
