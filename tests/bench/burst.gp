# Orphan-burst drain time per init (median); called by run.sh.
set terminal pngcairo size 900,540 font ",10"
set output png
set title "Orphan burst: release -> last orphan reaped (median)"
set ylabel "ms"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set grid ytics
set yrange [0:*]
set key top left
f = sprintf("%s/burst.dat", outdir)
plot for [c=2:*] f using c:xtic(1) title columnheader(c)." orphans"
