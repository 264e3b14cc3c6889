// The Spark job of tests/scalein (scenario job-during-drain): the sha256 of
// every file in an HDFS directory, one task per file, each task pausing
// first so the job outlives the start of a drain. Run through the Spark REPL
// (the image has no examples jar), like dockerfiles/examples/wordcount.scala:
//   spark-submit --master spark://HOST:7077 --class org.apache.spark.repl.Main \
//     --driver-java-options "-Dscala.usejavacp=true -Dsi.dir=hdfs://.../dir -Dsi.pause_ms=8000" \
//     -i checksums.scala </dev/null
// Prints "VESSEL_SHA <sha256>  <name> <executor host>" per file (sorted by
// name), then "VESSEL_SI_DONE <files>". The REPL exits 0 even when a line
// fails, so success is the exit code of System.exit below AND the marker.
try {
  val dir = sys.props.getOrElse("si.dir", sys.error("-Dsi.dir=URI is required"))
  val pause = sys.props.getOrElse("si.pause_ms", "0").toLong
  val base = new org.apache.hadoop.fs.Path(dir)
  val files = base.getFileSystem(sc.hadoopConfiguration).listStatus(base).filter(_.isFile).map(_.getPath.toString).sorted
  println("VESSEL_SI_START " + files.length)
  Console.flush()
  val sums = sc.parallelize(files.toSeq, math.max(files.length, 1)).map { p =>
    Thread.sleep(pause)
    val path = new org.apache.hadoop.fs.Path(p)
    val in = path.getFileSystem(new org.apache.hadoop.conf.Configuration()).open(path)
    val md = java.security.MessageDigest.getInstance("SHA-256")
    val buf = new Array[Byte](1 << 16)
    try {
      var n = in.read(buf)
      while (n > 0) { md.update(buf, 0, n); n = in.read(buf) }
    } finally in.close()
    (path.getName, md.digest.map(b => "%02x".format(b & 0xff)).mkString, java.net.InetAddress.getLocalHost.getHostName)
  }.collect()
  sums.sortBy(_._1).foreach { case (name, hex, host) => println(s"VESSEL_SHA $hex  $name $host") }
  println("VESSEL_SI_DONE " + sums.length)
  System.exit(0)
} catch {
  case e: Throwable => e.printStackTrace(); System.exit(1)
}
