#!/bin/bash
# tests/scripts/bench_smoke.sh: the benchmarks of `make bench` still run, so
# they cannot rot. No Linux kernel is needed.
#
# Runs `/bench/cowbench suite --mark --tiny` (every benchmark once, with
# tiny sizes) in cowix through tools/qrun, and checks that it exits 0, ends
# with "BENCHDONE 0", and prints a sample for every metric: a number, or
# "unsupported" / "n/a" (reported as SKIP: the kernel lacks what that metric
# needs, e.g. pipes or /proc/meminfo). Then checks that bench/summarize.sh
# turns those samples into a table, CSV and valid JSON, and that
# bench/linux-initramfs builds an archive with /init and the benchmarks.
# One TAP line per check; exit status 1 if any failed.
#   QRUN=path    use another qrun
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
export BUILD=${BUILD:-$root/build}
QRUN=${QRUN:-$root/tools/qrun}
tmp=$(mktemp -d /tmp/bench_smoke.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

result() { # result OK|FAIL|SKIP DESCRIPTION [WHY]
	n=$((n + 1))
	case "$1" in
	OK) echo "ok $n - $2" ;;
	SKIP) echo "ok $n - $2 # SKIP $3" ;;
	*)
		echo "not ok $n - $2"
		failed=$((failed + 1))
		;;
	esac
}

# Show the last lines of a file as "#" diagnostics.
diag_tail() {
	tail -n "${2:-15}" "$1" | sed 's/^/#   /'
}

metrics="boot_tsc fork_wait_0MiB fork_wait_1MiB cow_first_write_per_page first_write_per_page
	first_read_per_page fork_exec_wait vfork_exec_wait posix_spawn_wait pipe_round_trip
	fork_memfree_drop_1MiB fork_pagetables_growth_1MiB"

"$QRUN" --timeout 60 -- /bench/cowbench suite --mark --tiny </dev/null 2>&1 | tr -d '\r' >"$tmp/out"
rc=${PIPESTATUS[0]}
if [ "$rc" = 0 ] && grep -qx 'BENCHDONE 0' "$tmp/out"; then
	result OK "cowbench suite --tiny runs in cowix and exits 0"
else
	result FAIL "cowbench suite --tiny runs in cowix and exits 0"
	echo "#   qrun exit status $rc; last output:"
	diag_tail "$tmp/out"
fi
grep '^BENCHFAIL' "$tmp/out" | sed 's/^/#   /'

for m in $metrics; do
	values=$(awk -v m="$m" '$1 == "BENCH" && $2 == m { print $3 }' "$tmp/out")
	word=$(echo "$values" | grep -vE '^-?[0-9]+(\.[0-9]+)?$' | head -n 1)
	if [ -z "$values" ]; then
		result FAIL "cowbench reports $m"
	elif [ "$word" = unsupported ] || [ "$word" = n/a ]; then
		why=$(awk -v k="$m.$word" '$1 == "BENCHINFO" && $2 == k { $1 = $2 = ""; sub(/^ +/, ""); print }' "$tmp/out")
		result SKIP "cowbench reports $m" "$word in cowix: ${why:-no reason given}"
	elif [ -n "$word" ]; then
		result FAIL "cowbench reports $m"
		echo "#   value: $word"
	else
		result OK "cowbench reports $m ($(echo "$values" | head -n 1))"
	fi
done

# Is the file valid JSON? (Without python3, only: one object.)
valid_json() {
	if command -v python3 >/dev/null; then
		python3 -m json.tool "$1" >/dev/null 2>&1
	else
		[ "$(head -c 1 "$1")" = "{" ] && [ "$(tail -n 1 "$1")" = "}" ]
	fi
}

# The samples of the run above, as bench/run collects them, summarized.
awk '$1 == "BENCH" && NF == 4 { print "icount,cowix,1," $2 "," $3 "," $4 }' "$tmp/out" >"$tmp/raw.csv"
printf 'git_head\tsmoke "test"\n' >"$tmp/meta.tsv"
if "$root/bench/summarize.sh" "$tmp/raw.csv" "$tmp/meta.tsv" "$tmp" >"$tmp/table" 2>&1 &&
	grep -q '^fork_wait_0MiB ' "$tmp/table" &&
	grep -q '^icount,fork_wait_1MiB,ns,' "$tmp/summary.csv" &&
	valid_json "$tmp/summary.json"; then
	result OK "bench/summarize.sh writes the table, CSV and valid JSON"
else
	result FAIL "bench/summarize.sh writes the table, CSV and valid JSON"
	diag_tail "$tmp/table"
fi

if "$root/bench/linux-initramfs" "$tmp/linux.cpio" >"$tmp/mk" 2>&1 &&
	cpio -it --quiet <"$tmp/linux.cpio" >"$tmp/list" 2>/dev/null &&
	grep -qx init "$tmp/list" && grep -qx bench/cowbench "$tmp/list" &&
	grep -qx bench/true "$tmp/list" && grep -qx bin/busybox "$tmp/list"; then
	result OK "bench/linux-initramfs builds an archive with /init, busybox and the benchmarks"
else
	result FAIL "bench/linux-initramfs builds an archive with /init, busybox and the benchmarks"
	diag_tail "$tmp/mk"
fi

echo "1..$n"
[ "$failed" = 0 ]
