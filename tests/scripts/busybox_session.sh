#!/bin/bash
# Scripted shell sessions: the same busybox sh script runs in the guest
# (through tools/qrun) and on the host with the same busybox binary; each
# section's output must be identical. Covers pipelines, redirections,
# $(...), background jobs and wait, sh script.sh and #! scripts, find,
# sort, head, tail, sed, awk, grep, cp, mv, rm, mkdir, ls -l, env.
# Prints TAP; exits non-zero on any failure.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
export BUILD=${BUILD:-$root/build}
tmp=$(mktemp -d /tmp/bbsession.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT

cat > "$tmp/session.sh" <<'SH'
d=$1
rm -rf "$d"; mkdir -p "$d"; cd "$d" || exit 1
sec() { echo "=== $1"; }
sec pipeline;     seq 1 200 | grep 7 | sort -r | head -5 | tr '\n' ' '; echo
sec redirect;     echo one > f; echo two >> f; cat < f; wc -l < f; ls nosuch 2>/dev/null || echo "status $?"
sec subst;        n=$(seq 1 10 | awk '{s+=$1} END {print s}'); echo "sum=$n len=${#n} $((n * 2))"
sec jobs;         (sleep 0.2; echo late) & (echo early) & wait; echo waited
sec script;       printf 'echo in-script "$@"\nexit 3\n' > s.sh; sh s.sh a b; echo "rc=$?"
sec shebang;      printf '#!/bin/sh\necho shebang $0 $1\n' > x.sh; chmod +x x.sh; ./x.sh arg; echo "rc=$?"
sec files;        mkdir -p a/b/c; echo hi > a/b/c/f; cp a/b/c/f a/g; mv a/g a/h; find a | sort; rm -r a/b; find a | sort
sec text;         printf 'b 2\na 1\nc 3\n' | sort -k2 -n | sed 's/ /=/' | awk -F= '{print toupper($1) $2}'
sec tailhead;     seq 1 1000 > n; tail -n 3 n | tr '\n' ' '; head -c 20 n | tr '\n' ','; echo
sec ls;           mkdir -p L; printf 12345 > L/five; chmod 640 L/five; ln -s five L/link; ls -l L | awk 'NR>1 {print $1, $2, $5, $NF}'
sec env;          FOO=bar env | grep '^FOO='; unset FOO; echo "${FOO:-unset}"
sec status;       false; echo "false=$?"; true && echo and || echo or; ! true; echo "not=$?"
sec loop;         for i in 1 2 3; do case $i in 2) continue ;; esac; echo "i$i"; done; i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo "while $i"
sec trap;         sh -c 'trap "echo trapped" EXIT; echo body'
sec kill;         sleep 5 & p=$!; kill $p; wait $p; echo "killed=$?"
SH

/bin/busybox sh "$tmp/session.sh" "$tmp/host" > "$tmp/host.out" 2>&1
"$root/tools/qrun" --timeout 120 --add "$tmp/session.sh:/session.sh" -- /bin/busybox sh /session.sh /tmp/session \
	> "$tmp/guest.raw" 2>&1
rc=$?
# Keep the session's own output: from the first section marker on.
tr -d '\r' < "$tmp/guest.raw" | sed -n '/^=== pipeline$/,$p' | grep -v '^cowix: ' > "$tmp/guest.out"
n=0 failed=0
for s in $(grep '^=== ' "$tmp/host.out" | cut -c5-); do
	n=$((n + 1))
	want=$(sed -n "/^=== $s\$/,/^=== /p" "$tmp/host.out" | grep -v '^=== ')
	got=$(sed -n "/^=== $s\$/,/^=== /p" "$tmp/guest.out" | grep -v '^=== ')
	if [ "$want" = "$got" ]; then
		echo "ok $n - session section '$s' prints what Linux prints"
	else
		echo "not ok $n - session section '$s' prints what Linux prints"
		diff <(echo "$want") <(echo "$got") | sed 's/^/#   /' | head -20
		failed=$((failed + 1))
	fi
done
n=$((n + 1))
if [ "$(grep -c '^=== ' "$tmp/host.out")" -ge 15 ]; then echo "ok $n - the host ran all 15 sections"; else
	echo "not ok $n - the host ran all 15 sections"
	failed=$((failed + 1))
fi
n=$((n + 1))
if [ $rc = 0 ]; then echo "ok $n - the session exits 0"; else
	echo "not ok $n - the session exits 0 (status $rc)"
	failed=$((failed + 1))
fi
echo "1..$n"
[ $failed = 0 ]
