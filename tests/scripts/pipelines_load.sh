#!/bin/bash
# 50 concurrent pipelines of busybox tools over a generated 10 MiB file in
# /tmp, in the guest, each output checked byte for byte (sha256) against the
# same script run by the same busybox binary on the host Linux.
# Prints TAP; exits non-zero on any failure.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
export BUILD=${BUILD:-$root/build}
tmp=$(mktemp -d /tmp/pipeload.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# The workload, as a busybox sh script taking its scratch directory as $1.
cat > "$tmp/load.sh" <<'SH'
d=$1
mkdir -p "$d"
# ~10 MiB of varied lines: numbers, their squares and a repeating word.
seq 1 420000 | awk '{ printf "%d %d w%d\n", $1, ($1 * $1) % 1000003, $1 % 97 }' > "$d/data"
i=0
for p in \
	"grep 7" "grep -c 42" "wc -l" "wc -c" "tr 0-9 a-j" "sed s/w1/W/g" "cut -d' ' -f2" \
	"awk '{s+=\$2} END {print s}'" "head -c 1000000" "tail -n 5000" "grep -v 3" "uniq -c" \
	"cut -c1-4" "tr -d 5" "awk 'NR%3==0'" "sed -n 100000,100100p" "grep w9 | wc -l" \
	"tr a-z A-Z | grep W1" "cut -d' ' -f3 | sort | uniq -c" "awk '{print \$3, \$1}' | head -20000" \
	"sed s/[02468]/e/g | grep -c e" "grep -E '^1[0-9]+ ' | wc -l" "md5sum" "sha1sum" \
	"od -An -tx1 -N 65536" "fold -w 7 | head -50000" "rev | head -30000" \
	"expand | tail -c 200000" "grep 99 | cut -d' ' -f1 | paste -s -d+" "awk '{n[\$3]++} END {for (k in n) c++; print c}'"; do
	for copy in a b; do
		[ $i -lt 50 ] || break
		sh -c "cat $d/data | $p > $d/out.$i" &
		i=$((i + 1))
	done
done
wait
for n in $(seq 0 49); do
	echo "pipeline $n $(sha256sum < "$d/out.$n" | cut -d' ' -f1)"
done
SH

# Host: the same busybox binary runs the same script.
/bin/busybox sh "$tmp/load.sh" "$tmp/host" > "$tmp/host.sums" 2>&1
# Guest.
"$root/tools/qrun" --timeout 300 --add "$tmp/load.sh:/load.sh" -- /bin/busybox sh /load.sh /tmp/load \
	> "$tmp/guest.out" 2>&1
rc=$?
tr -d '\r' < "$tmp/guest.out" | grep '^pipeline ' > "$tmp/guest.sums"
n=0 failed=0
for k in $(seq 0 49); do
	n=$((n + 1))
	want=$(grep "^pipeline $k " "$tmp/host.sums")
	got=$(grep "^pipeline $k " "$tmp/guest.sums")
	if [ -n "$want" ] && [ "$want" = "$got" ]; then
		echo "ok $n - pipeline $k output matches the host byte for byte"
	else
		echo "not ok $n - pipeline $k output matches the host byte for byte"
		echo "#   host:  $want"
		echo "#   guest: $got"
		failed=$((failed + 1))
	fi
done
n=$((n + 1))
if [ $rc = 0 ]; then echo "ok $n - the guest script exits 0"; else
	echo "not ok $n - the guest script exits 0 (status $rc)"
	tail -5 "$tmp/guest.out" | sed 's/^/#   /'
	failed=$((failed + 1))
fi
echo "1..$n"
[ $failed = 0 ]
