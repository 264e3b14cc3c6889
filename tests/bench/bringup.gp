# Cluster bring-up time per size, vessel vs the floor (median, min-max
# bars); called by bringup.sh with dat= and png=.
set terminal pngcairo size 900,540 font ",10"
set output png
set title "Cluster bring-up: first run call -> N live DataNodes and N ALIVE Spark workers"
set xlabel "workers (plus 1 master)"
set ylabel "seconds (median, bars: min-max)"
set grid ytics
set yrange [0:*]
set xrange [0.5:*]
set key top left
set xtics 1
# columns: size vessel_med vessel_min vessel_max floor_med floor_min floor_max
plot dat using ($1-0.06):2:3:4 with yerrorlines lw 2 pt 7 title "vessel", \
     dat using ($1+0.06):5:6:7 with yerrorlines lw 2 pt 5 title "floor (same JVMs, no vessel)"
