#!/bin/bash
# tests/scripts/profile.sh: the kernel profiler (docs/profiling.md).
#
# Boots cowix four times through tools/qrun:
#   1. with profile=2, runs kernel-heavy work (dd, fork+exec) in the guest
#      and checks /proc/profile as Linux has it: listed in /proc, entry 0 the
#      4-byte step, st_size (1 + text/4) * 4, a non-zero total; a write
#      resets it, a 4-byte write (Linux's multiplier) fails;
#   2. with profile=2, runs `ktest profile` (samples arrive inside code that
#      runs with interrupts off, among others);
#   3. without profile=: /proc/profile is absent, as on Linux;
#   4. tools/kprof on a dd: it reports kernel samples and a function table.
# One TAP line per check; exit status 1 if any failed.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
export BUILD=${BUILD:-$root/build}
qrun=$root/tools/qrun
tmp=$(mktemp -d /tmp/profile_test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$root/tests/lib/tap.sh"

# What a failed check shows: the end of the guest's output.
tap_diagnose() {
	tail -n 8 "$tmp/out" | sed 's/^/#     /'
}

# q ARGS...: run qrun with stdin closed; status in rc, output (no CRs) in $tmp/out.
q() {
	"$qrun" --timeout 60 "$@" </dev/null 2>&1 | tr -d '\r' >"$tmp/out"
	rc=${PIPESTATUS[0]}
}

# The value of "KEY value" printed by the guest.
val() {
	sed -n "s/^$1 //p" "$tmp/out" | tail -n 1
}

is_eq() { [ "$1" = "$2" ]; }
is_gt() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" -gt "$2" ]; }

# The bytes of kernel text /proc/profile covers (_text_start to _text_end).
text_bytes() {
	nm "$BUILD/cowix.elf" | awk '$3 == "_text_start" { s = $1 } $3 == "_text_end" { e = $1 }
		END { print "0x" e, "0x" s }' | { read -r e s && echo $((e - s)); }
}

cat >"$tmp/guest.sh" <<'EOF'
#!/bin/sh
# Sum of the buckets (every u32 after the first) of /proc/profile.
total() { od -An -v -tu4 /proc/profile | awk '{ for (i = 1; i <= NF; i++) if (NR > 1 || i > 1) t += $i } END { print t + 0 }'; }
echo "LISTED $(ls /proc | grep -cx profile)"
echo "SIZE $(stat -c %s /proc/profile)"
echo "STEP $(od -An -tu4 -N4 /proc/profile | tr -d ' ')"
dd if=/dev/zero of=/dev/null bs=64k count=2000 2>/dev/null
for i in $(seq 50); do /bin/true; done
echo "BEFORE $(total)"
echo > /proc/profile
echo "RESET $? $(total)"
printf abcd > /proc/profile 2>/dev/null
echo "MULTIPLIER $?"
EOF

q --append profile=2 --add "$tmp/guest.sh:/guest.sh" -- /bin/sh /guest.sh
before=$(val BEFORE)
tap_check "profile=2 boots and says so" grep -q 'kernel profiling enabled (shift: 2)' "$tmp/out"
tap_check "/proc/profile is listed in /proc" is_eq "$(val LISTED)" 1
tap_check "entry 0 is the step, 4 bytes" is_eq "$(val STEP)" 4
tap_check "st_size is (1 + text/4) * 4" is_eq "$(val SIZE)" $(((1 + $(text_bytes) / 4) * 4))
tap_check "busy guest gives a non-zero total (${before:-none})" is_gt "$before" 0
tap_check "a write resets the counts" is_gt "$before" "$(val RESET | cut -d' ' -f2)"
tap_check "the reset write succeeds" is_eq "$(val RESET | cut -d' ' -f1)" 0
tap_check "a 4-byte write (multiplier) fails" is_eq "$(val MULTIPLIER)" 1

q --append profile=2 -- ktest profile
tap_check "ktest profile passes with profile=2" eval '[ "$rc" = 0 ] && grep -q "^1\.\." "$tmp/out" && ! grep -q "^not ok" "$tmp/out"'

q -- /bin/sh -c '[ ! -e /proc/profile ] && ! ls /proc | grep -qx profile'
tap_check "without profile=, /proc/profile is absent" is_eq "$rc" 0

"$root/tools/kprof" --top 5 -- /bin/dd if=/dev/zero of=/dev/null bs=64k count=1000 \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
tap_check "tools/kprof exits with the command's status" is_eq "$rc" 0
samples=$(sed -n 's/^kprof: \([0-9]*\) kernel samples.*/\1/p' "$tmp/out")
tap_check "tools/kprof reports kernel samples (${samples:-none})" is_gt "$samples" 0
tap_check "tools/kprof lists functions" eval '[ "$(grep -cE "^ +[0-9]+ +[0-9.]+% +[a-z_]" "$tmp/out")" -ge 1 ]'

tap_end
