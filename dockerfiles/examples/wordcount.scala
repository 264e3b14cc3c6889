// Word count for smoke tests, run through the Spark REPL so it needs no
// compiled jar (the pyspark-derived Spark home has no examples jar):
//   spark-submit --master spark://HOST:7077 --class org.apache.spark.repl.Main \
//     --driver-java-options "-Dscala.usejavacp=true -Dwc.in=hdfs://.../in -Dwc.out=hdfs://.../out" \
//     -i /opt/vessel/examples/wordcount.scala </dev/null
// The REPL exits 0 even when a line fails, so success is the exit code of
// System.exit below AND the marker line "VESSEL_WC_DONE <distinct words>".
try {
  val in = sys.props.getOrElse("wc.in", sys.error("-Dwc.in=URI is required"))
  val out = sys.props.getOrElse("wc.out", sys.error("-Dwc.out=URI is required"))
  val counts = sc.textFile(in).flatMap(_.split("\\s+")).filter(_.nonEmpty).map(w => (w, 1L)).reduceByKey(_ + _)
  counts.map { case (w, n) => s"$w\t$n" }.saveAsTextFile(out)
  println("VESSEL_WC_DONE " + counts.count())
  System.exit(0)
} catch {
  case e: Throwable => e.printStackTrace(); System.exit(1)
}
