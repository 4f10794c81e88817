# tests/lib/tap.sh: TAP output for the host-side test scripts
# (tests/scripts/*.sh). Source it; it keeps the count in n and the
# failures in failed.
#   tap_check DESCRIPTION COMMAND...  one TAP line: ok if COMMAND succeeds;
#                                     on failure the script's tap_diagnose,
#                                     if it defines one, explains
#   tap_skip DESCRIPTION WHY          one skipped TAP line
#   tap_end                           the plan line; status 1 if any failed
n=0
failed=0

tap_check() {
	local d=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $d"
		return 0
	fi
	failed=$((failed + 1))
	echo "not ok $n - $d"
	if declare -F tap_diagnose >/dev/null; then
		tap_diagnose
	fi
	return 1
}

tap_skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

tap_end() {
	echo "1..$n"
	[ "$failed" = 0 ]
}
