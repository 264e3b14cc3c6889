// The test job of tests/k8s/run.sh: SparkPi (Monte Carlo), plus which
// executors ran its tasks, so the stage can check that both executor pods
// did work. Spark's examples jar is not on Maven Central, and a plain-Java
// job compiles with the host's javac against the Spark dist's own jars.
package vessel.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

public final class VesselPi {
  public static void main(String[] args) {
    int slices = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    SparkSession spark = SparkSession.builder().appName("VesselPi").getOrCreate();
    JavaSparkContext jsc = new JavaSparkContext(spark.sparkContext());
    int n = 100000 * slices;
    List<Integer> l = new ArrayList<>(n);
    for (int i = 0; i < n; i++) l.add(i);
    JavaRDD<Integer> data = jsc.parallelize(l, slices);
    long inside = data.filter(i -> {
      double x = Math.random() * 2 - 1, y = Math.random() * 2 - 1;
      return x * x + y * y <= 1;
    }).count();
    System.out.println("Pi is roughly " + 4.0 * inside / n);
    TreeSet<String> executors = new TreeSet<>(
        data.map(i -> SparkEnv.get().executorId()).distinct().collect());
    System.out.println("Tasks ran on executors: " + String.join(",", executors));
    spark.stop();
  }
}
