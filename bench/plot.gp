# bench/plot.gp: fork latency against resident memory, cowix and Linux.
#   gnuplot -e "data='fork-latency.dat'; out='fork-latency.svg'" bench/plot.gp
# data (written by bench/summarize.sh) holds a block per clock, icount first
# and then wall if measured: "MiB cowix linux cowix-thp-never linux-thp-never",
# times in ms.
# One panel per block.

set terminal svg size 1100,480 dynamic font "sans,12" background "white"
set output out
set termoption noenhanced # metric names have underscores
stats data using 1 nooutput
panels = STATS_blocks
set multiplot layout 1, panels title "fork + _exit + waitpid against touched anonymous memory"
set key top left
set grid
set xlabel "touched anonymous memory (MiB)"
set xrange [-8:264]
set xtics (0, 16, 64, 128, 256)
set yrange [0:*]
set style data linespoints
titles = "'icount: ms of virtual time (1 ms = 1M instructions)' 'wall: ms of real time (median)'"
do for [b = 0:panels - 1] {
	set title word(titles, b + 1)
	set ylabel "ms"
	plot data index b using 1:2 title "cowix (THP)" pt 7 lw 2, \
	     data index b using 1:3 title "linux (THP as shipped)" pt 5 lw 2, \
	     data index b using 1:4 title "cowix, transparent_hugepage=never" pt 6 lw 2 dt 2, \
	     data index b using 1:5 title "linux, transparent_hugepage=never" pt 9 lw 2 dt 2
}
unset multiplot
