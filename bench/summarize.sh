#!/bin/bash
# bench/summarize.sh RAW.csv META.tsv OUTDIR: the medians and ratios of a
# bench/run.
#
# RAW.csv holds one sample a line: clock,kernel,round,metric,value,unit
# (value is a number, or a word such as "unsupported" or "n/a" when the
# sample could not be taken). META.tsv holds "key<TAB>value" lines that
# describe the run. For every clock and metric, the median of each kernel's
# samples (a kernel with no numeric sample shows its word instead) and the
# ratios cowix/linux (huge pages on both) and cowix-thp-never/linux-thp-never
# (4 KiB pages on both). Writes
#   OUTDIR/summary.csv       one row per clock and metric, medians in the raw unit
#   OUTDIR/summary.json      the same rows, with META under "meta"
#   OUTDIR/fork-latency.dat  fork_wait_*MiB medians in ms, a gnuplot block per clock
# and prints the table (times in microseconds) on stdout.
set -eu
[ $# = 3 ] || { sed -n '2,15s/^# \{0,1\}//p' "$0" >&2; exit 2; }
raw=$1 meta=$2 out=$3

awk -F, -v meta="$meta" -v out="$out" '
BEGIN { CONVFMT = "%.1f"; OFMT = "%.1f" } # medians print as 1242.5 or 11006340, never 1.1e+07

function is_number(s) { return s ~ /^-?[0-9]+(\.[0-9]*)?$/ }

# The median of the numeric samples of key k (clock SUBSEP metric SUBSEP kernel).
function median(k,    n, i, j, a, t) {
	n = nv[k]
	for (i = 1; i <= n; i++) {
		a[i] = vals[k, i]
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}

# The value of a cell: the median, the sample word, or "" if no sample at all.
function cell(clock, metric, kernel,    k) {
	k = clock SUBSEP metric SUBSEP kernel
	if (nv[k] > 0)
		return median(k)
	return k in word ? word[k] : ""
}

function ratio(a, b) { return is_number(a) && is_number(b) && b > 0 ? sprintf("%.2f", a / b) : "" }

# A value for the table: ns shown as microseconds, three significant digits or more.
function show(v, unit) {
	if (v == "")
		return "-"
	if (!is_number(v))
		return v
	if (unit == "ns")
		v /= 1000
	return sprintf(v < 10 && v > -10 ? "%.2f" : v < 100 && v > -100 ? "%.1f" : "%.0f", v)
}

# s as a JSON string: backslashes and quotes escaped, tabs made spaces.
function json_string(s,    r, i, c) {
	r = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "\\" || c == "\"")
			r = r "\\" c
		else
			r = r (c == "\t" ? " " : c)
	}
	return "\"" r "\""
}

function json_value(v) { return v == "" ? "null" : is_number(v) ? v : json_string(v) }

{
	clock = $1; kernel = $2; metric = $4; value = $5
	if (!((clock, metric) in unit)) {
		unit[clock, metric] = $6
		metrics[clock, ++nm[clock]] = metric
	}
	k = clock SUBSEP metric SUBSEP kernel
	if (is_number(value))
		vals[k, ++nv[k]] = value + 0
	else if (!(k in word))
		word[k] = value
}

END {
	nk = split("cowix linux cowix-thp-never linux-thp-never", K, " ")
	csv = out "/summary.csv"; json = out "/summary.json"; dat = out "/fork-latency.dat"
	print "clock,metric,unit,cowix,linux,cowix-thp-never,linux-thp-never,cowix/linux," \
		"cowix-thp-never/linux-thp-never,samples" > csv
	printf "{\n  \"meta\": {" > json
	sep = "\n"
	while ((getline line < meta) > 0) {
		split(line, kv, "\t")
		printf "%s    %s: %s", sep, json_string(kv[1]), json_string(substr(line, length(kv[1]) + 2)) > json
		sep = ",\n"
	}
	printf "\n  },\n  \"results\": [" > json
	jsep = "\n"
	nc = split("icount wall", C, " ")
	for (c = 1; c <= nc; c++) {
		clock = C[c]
		if (!nm[clock])
			continue
		if (clock == "icount")
			print "icount: QEMU -icount shift=0,sleep=off; 1 us = 1000 guest instructions (deterministic)"
		else
			print "\nwall: real time, median of every sample of every round (noisy)"
		printf "%-30s %-4s %10s %10s %8s %10s %10s %8s\n", "metric", "unit", "cowix", "linux",
			"c/linux", "cowix-4k", "linux-4k", "c/l-4k"
		if (ndat++)
			printf "\n\n" > dat
		printf "# %s: MiB touched, then fork+exit+wait in ms for %s\n", clock, "cowix linux cowix-thp-never linux-thp-never" > dat
		for (m = 1; m <= nm[clock]; m++) {
			metric = metrics[clock, m]
			u = unit[clock, metric]
			samples = ""
			for (i = 1; i <= nk; i++) {
				v[i] = cell(clock, metric, K[i])
				samples = samples (i > 1 ? "/" : "") nv[clock, metric, K[i]] + 0
			}
			r1 = ratio(v[1], v[2]); r2 = ratio(v[3], v[4])
			printf "%-30s %-4s %10s %10s %8s %10s %10s %8s\n", metric, u == "ns" ? "us" : u,
				show(v[1], u), show(v[2], u), r1 == "" ? "-" : r1, show(v[3], u),
				show(v[4], u), r2 == "" ? "-" : r2
			print clock "," metric "," u "," v[1] "," v[2] "," v[3] "," v[4] "," r1 "," r2 "," \
				samples > csv
			printf "%s    {\"clock\": %s, \"metric\": %s, \"unit\": %s", jsep, json_string(clock),
				json_string(metric), json_string(u) > json
			for (i = 1; i <= nk; i++)
				printf ", %s: %s", json_string(K[i]), json_value(v[i]) > json
			printf ", \"cowix/linux\": %s, \"cowix-thp-never/linux-thp-never\": %s, \"samples\": %s}",
				json_value(r1), json_value(r2), json_string(samples) > json
			jsep = ",\n"
			if (metric ~ /^fork_wait_[0-9]+MiB$/) {
				size = metric; gsub(/[^0-9]/, "", size)
				printf "%s", size > dat
				for (i = 1; i <= nk; i++)
					printf " %s", is_number(v[i]) ? sprintf("%.4f", v[i] / 1e6) : "NaN" > dat
				printf "\n" > dat
			}
		}
	}
	printf "\n  ]\n}\n" > json
	print "\nratios: cowix/linux with huge pages on both (c/linux) and off on both (c/l-4k);"
	print "below 1 cowix is faster (or uses less), above 1 slower"
}' "$raw"
