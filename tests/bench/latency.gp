# Forwarding-latency CDF per init; called by run.sh with outdir and png set.
set terminal pngcairo size 900,540 font ",10"
set output png
set title "Signal-forwarding latency through PID 1 (kill -> child's handler)"
set xlabel "latency (µs, log scale)"
set ylabel "fraction of samples ≤ x"
set logscale x
set grid
set key bottom right
set yrange [0:1]
# inits: the names, set by run.sh
plot for [i in inits] sprintf("%s/cdf_%s.dat", outdir, i) using 1:2 with lines lw 2 title i
