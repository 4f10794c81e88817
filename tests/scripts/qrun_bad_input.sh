#!/bin/bash
# tests/scripts/qrun_bad_input.sh: tools/qrun's documented behaviour on good
# and bad input. One TAP line per check. Every boot has a timeout, and a
# check fails if qrun hangs (exit 124) where it should have stopped.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
export BUILD=${BUILD:-$root/build}
qrun=$root/tools/qrun
tmp=$(mktemp -d /tmp/qrun_bad_input.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$root/tests/lib/tap.sh"

# What a failed check shows: how qrun ended and its last lines of output.
tap_diagnose() {
	echo "#   exit status $rc after ${secs}s; last output:"
	tail -n 8 "$tmp/out" | tr -d '\r' | sed 's/^/#     /'
}

# q ARGS...: run qrun with stdin closed; sets rc and secs, output in $tmp/out.
q() {
	local t0
	t0=$(date +%s)
	"$qrun" "$@" </dev/null >"$tmp/out" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
}

said() {
	grep -Eiq "$1" "$tmp/out"
}

# Exit status rc is $1 and the output matches the extended regex $2.
ended() {
	[ "$rc" = "$1" ] && said "$2"
}

# A non-zero status that is not qrun's timeout, and output matching $1.
failed_cleanly() {
	[ "$rc" != 0 ] && [ "$rc" != 124 ] && said "$1"
}

# failed_cleanly, and within 30 seconds.
quick_failure() {
	failed_cleanly "$1" && [ "$secs" -le 30 ]
}

check_ktest() {
	q --timeout 120 -- ktest
	tap_check "qrun -- ktest exits 0" ended 0 '^1\.\.'
}

check_unknown_command() {
	q --timeout 60 -- /nonexistent
	tap_check "unknown command exits non-zero, naming it, within 30s" quick_failure /nonexistent
}

check_small_memory() {
	q --timeout 60 --mem 16M -- ktest
	tap_check "--mem 16M stops with a message and a non-zero status, no hang" \
		failed_cleanly 'memory|panic|qrun:'
}

# expect_bad_initrd DESC INITRD: booting with INITRD must end in 125 with a message.
expect_bad_initrd() {
	q --timeout 60 --initrd "$2" -- ktest
	tap_check "$1" ended 125 'panic|initr'
}

check_bad_initrds() {
	expect_bad_initrd "--initrd /dev/null exits 125 with a message" /dev/null
	: >"$tmp/empty"
	expect_bad_initrd "empty --initrd file exits 125 with a message" "$tmp/empty"
	head -c 65536 /dev/urandom >"$tmp/garbage"
	expect_bad_initrd "random-bytes --initrd exits 125 with a message" "$tmp/garbage"
	printf '070701%0104d' 0 >"$tmp/zeros"
	expect_bad_initrd "header of all-zero fields as --initrd exits 125 with a message" \
		"$tmp/zeros"
}

# A well-formed archive without /etc/qrun.argv makes the kernel panic.
check_panic_status() {
	mkdir -p "$tmp/tree/etc" && echo cowix >"$tmp/tree/etc/hostname"
	(cd "$tmp/tree" && find . -mindepth 1 | cpio -o -H newc --quiet) >"$tmp/noargv.cpio"
	q --timeout 60 --initrd "$tmp/noargv.cpio" -- ktest
	tap_check "a kernel panic exits 125 and prints KERNEL PANIC" ended 125 'KERNEL PANIC'
}

check_usage_errors() {
	q --bogus -- ktest
	tap_check "unknown option exits 2 with usage" ended 2 'unknown option'
	q --timeout 5
	tap_check "no command exits 2 with usage" ended 2 'qrun \['
	q --add "$tmp/does-not-exist" -- ktest
	tap_check "--add of a missing file exits 2" ended 2 'no such file'
}

# qrun gave up with 124 and said so, within a few seconds of its --timeout 5.
timed_out_promptly() {
	ended 124 'timed out' && [ "$secs" -le 20 ]
}

# Needs a guest command that never ends: busybox sleep, once user programs run.
check_timeout() {
	local d="--timeout 5 on a command that never ends exits 124"
	q --timeout 60 -- /bin/busybox true
	if [ "$rc" != 0 ]; then
		tap_skip "$d" "user programs do not run yet (/bin/busybox true exited $rc)"
		return
	fi
	q --timeout 5 -- /bin/busybox sleep 1000
	tap_check "$d" timed_out_promptly
}

check_ktest
check_unknown_command
check_small_memory
check_bad_initrds
check_panic_status
check_usage_errors
check_timeout
tap_end
