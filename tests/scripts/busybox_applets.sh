#!/bin/bash
# tests/scripts/busybox_applets.sh: Debian's static busybox runs in the guest
# and its applets print what they print on this host.
#
# Each applet runs once on the host, to produce the expected output, and once
# in the guest through tools/qrun (files it needs are added with --add). One
# TAP line per comparison; the exit status is 1 if any failed. The guest's
# console also carries kernel messages, so the expected lines must appear in
# the guest's output as one unbroken block, in order.
#   QRUN=path    use another qrun (for checking this script itself)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
QRUN=${QRUN:-$root/tools/qrun}
BB=/bin/busybox
tmp=$(mktemp -d /tmp/busybox_applets.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

result() { # result OK|FAIL DESCRIPTION
	n=$((n + 1))
	if [ "$1" = OK ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

# Show a file as "#" diagnostic lines.
diag_file() { # TITLE FILE
	echo "#   $1:"
	sed 's/^/#     /' "$2" | head -40
}

# Does file $2 contain all the lines of file $1, consecutively and in order?
contains_block() { # EXPECTED ACTUAL
	awk 'FILENAME == ARGV[1] { want[++n] = $0; next }
	     { got[++m] = $0 }
	     END {
		for (s = 0; s + n <= m; s++) {
			for (i = 1; i <= n && got[s + i] == want[i]; i++) ;
			if (i > n) exit 0
		}
		exit 1
	     }' "$1" "$2"
}

# Run in the guest: guest [--add H:G]... -- CMD...; output in $tmp/guest, status in $guest_rc.
guest() {
	"$QRUN" --timeout 60 "$@" </dev/null >"$tmp/guest.raw" 2>&1
	guest_rc=$?
	tr -d '\r' <"$tmp/guest.raw" >"$tmp/guest"
}

# Compare: the guest's output holds $tmp/want and its status is want_rc.
compare() { # DESCRIPTION WANT_RC
	if contains_block "$tmp/want" "$tmp/guest" && [ "$guest_rc" = "$2" ]; then
		result OK "$1"
	else
		result FAIL "$1"
		echo "#   guest exit status $guest_rc, want $2"
		diag_file "expected (from the host)" "$tmp/want"
		diag_file "guest output" "$tmp/guest"
	fi
}

# Run the same busybox command (no file arguments) on the host and in the guest.
same_output() { # DESCRIPTION ARGS...
	local what=$1
	shift
	"$BB" "$@" >"$tmp/want" 2>&1
	local want_rc=$?
	guest -- "$BB" "$@"
	compare "$what" "$want_rc"
}

# Run an applet on the file data/hello.txt, added to the guest as /data/hello.txt.
on_added_file() { # DESCRIPTION APPLET
	"$BB" "$2" "$tmp/data/hello.txt" | sed "s|$tmp/data/hello.txt|/data/hello.txt|" >"$tmp/want"
	guest --add "$tmp/data/hello.txt:/data/hello.txt" -- "$BB" "$2" /data/hello.txt
	compare "$1" 0
}

make_files() {
	mkdir -p "$tmp/data" "$tmp/lsdir/sub"
	printf 'hello from the host\nsecond line\n\n  indented last line\n' >"$tmp/data/hello.txt"
	printf 'twelve bytes' >"$tmp/lsdir/a"
	: >"$tmp/lsdir/b"
	head -c 1000 /dev/zero | tr '\0' 'x' >"$tmp/lsdir/run.sh"
	printf 'inner\n' >"$tmp/lsdir/sub/inner"
	ln "$tmp/lsdir/a" "$tmp/lsdir/a2"
	ln -s a "$tmp/lsdir/link"
	chmod 0644 "$tmp/lsdir/a"
	chmod 0600 "$tmp/lsdir/b"
	chmod 0755 "$tmp/lsdir/run.sh"
	chmod 0750 "$tmp/lsdir/sub"
}

# ls -l lines reduced to what must match: mode, links, size (not for directories), name.
ls_fields() {
	grep -E '^[-dlcbps][-rwxsStT]{9} ' | awk '{
		size = ($1 ~ /^d/) ? "-" : $5
		name = $9
		for (i = 10; i <= NF; i++) name = name " " $i
		print $1, $2, size, name
	}'
}

check_uname() {
	local host
	host=$("$BB" uname -a)
	local first=${host%% *} tail
	tail=$(echo "$host" | awk '{ print $(NF - 1), $NF }')
	guest -- "$BB" uname -a
	if grep -qE "^$first .* $tail\$" "$tmp/guest" && [ "$guest_rc" = 0 ]; then
		result OK "busybox uname -a: sysname $first, machine and OS \"$tail\""
	else
		result FAIL "busybox uname -a: sysname $first, machine and OS \"$tail\""
		echo "#   host: $host"
		diag_file "guest output" "$tmp/guest"
	fi
	same_output "busybox uname -s" uname -s
	same_output "busybox uname -m" uname -m
}

check_ls() {
	"$BB" ls -l "$tmp/lsdir" | ls_fields >"$tmp/want"
	guest --add "$tmp/lsdir:/lsdir" -- "$BB" ls -l /lsdir
	ls_fields <"$tmp/guest" >"$tmp/guest.ls"
	if cmp -s "$tmp/want" "$tmp/guest.ls" && [ "$guest_rc" = 0 ]; then
		result OK "busybox ls -l: modes, link counts, sizes and names match"
	else
		result FAIL "busybox ls -l: modes, link counts, sizes and names match"
		echo "#   guest exit status $guest_rc"
		diag_file "expected (mode links size name)" "$tmp/want"
		diag_file "guest (mode links size name)" "$tmp/guest.ls"
		diag_file "guest output" "$tmp/guest"
	fi
}

main() {
	if [ ! -x "$BB" ]; then
		echo "Bail out! no $BB on this host (tools/deps installs busybox-static)"
		exit 1
	fi
	make_files
	same_output "busybox echo hello world" echo hello world
	on_added_file "busybox cat of an added file" cat
	on_added_file "busybox wc of an added file" wc
	check_uname
	check_ls
	same_output "busybox false exits 1" false
	echo "1..$n"
	[ "$failed" = 0 ]
}

main "$@"
