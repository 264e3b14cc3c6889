// k8s/spark_entrypoint: the contract of Spark's official Kubernetes image
// entrypoint, argv and environment in, the exact command out.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "k8s/spark_entrypoint.hpp"

using namespace vessel::k8s;
using Argv = std::vector<std::string>;

namespace {

// What Spark 3.5's scheduler puts into an executor pod (BasicExecutorFeatureStep),
// plus the image's own variables.
Env executor_env() {
  return {
      {"JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64"},
      {"SPARK_HOME", "/opt/spark"},
      {"SPARK_CONF_DIR", "/opt/spark/conf"},
      {"HADOOP_CONF_DIR", "/etc/hadoop"},
      {"SPARK_DRIVER_URL", "spark://CoarseGrainedScheduler@pi-driver-svc.default.svc:7078"},
      {"SPARK_EXECUTOR_ID", "1"},
      {"SPARK_EXECUTOR_CORES", "1"},
      {"SPARK_EXECUTOR_MEMORY", "1024m"},
      {"SPARK_APPLICATION_ID", "spark-0123abcd"},
      {"SPARK_EXECUTOR_POD_IP", "10.244.0.17"},
      {"SPARK_RESOURCE_PROFILE_ID", "0"},
      {"SPARK_EXECUTOR_POD_NAME", "pi-exec-1"},
      {"SPARK_JAVA_OPT_0", "-Dspark.driver.port=7078"},
      {"SPARK_JAVA_OPT_1", "-Dspark.app.id=spark-0123abcd"},
  };
}

std::string error_of(const vessel::Result<Command>& r) { return r ? std::string("(no error)") : r.error(); }

}  // namespace

TEST_CASE("k8s: driver and executor are roles, anything else passes through", "[k8s]") {
  CHECK(role_of("driver") == Role::driver);
  CHECK(role_of("executor") == Role::executor);
  CHECK_FALSE(role_of("Driver"));
  CHECK_FALSE(role_of("/bin/sh"));
  CHECK_FALSE(role_of(""));
}

TEST_CASE("k8s: SPARK_JAVA_OPT_<n> in numeric order, _10 after _2, not in lexical order",
          "[k8s][java_opts]") {
  Env env{{"SPARK_JAVA_OPT_10", "-Dten"}, {"SPARK_JAVA_OPT_2", "-Dtwo"}, {"SPARK_JAVA_OPT_1", "-Done"},
          {"SPARK_JAVA_OPT_0", "-Dzero"}, {"SPARK_JAVA_OPT_11", "-Deleven"}, {"SPARK_JAVA_OPT_3", "-Dthree"},
          {"OTHER", "x"}};
  auto opts = java_opts(env);
  REQUIRE(opts);
  CHECK(*opts == Argv{"-Dzero", "-Done", "-Dtwo", "-Dthree", "-Dten", "-Deleven"});
  // Lexical order (what std::map iteration, and `sort` without -n, gives)
  // would put -Dten right after -Done: prove the test tells them apart.
  Argv lexical;
  for (const auto& [k, v] : env)
    if (k.rfind("SPARK_JAVA_OPT_", 0) == 0) lexical.push_back(v);
  CHECK(lexical != *opts);
}

TEST_CASE("k8s: SPARK_JAVA_OPT_ ties by name, empty values skipped, none at all is empty", "[k8s][java_opts]") {
  auto opts = java_opts({{"SPARK_JAVA_OPT_1", "-Db"}, {"SPARK_JAVA_OPT_01", "-Da"}, {"SPARK_JAVA_OPT_5", ""}});
  REQUIRE(opts);
  CHECK(*opts == Argv{"-Da", "-Db"});
  auto none = java_opts({{"SPARK_HOME", "/opt/spark"}});
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("k8s: a SPARK_JAVA_OPT_ that is not numbered or not clean is an error naming it", "[k8s][java_opts]") {
  auto named = java_opts({{"SPARK_JAVA_OPT_X", "-Dx"}});
  REQUIRE_FALSE(named);
  CHECK_THAT(named.error(), Catch::Contains("SPARK_JAVA_OPT_X"));
  auto huge = java_opts({{"SPARK_JAVA_OPT_1234567890", "-Dx"}});
  REQUIRE_FALSE(huge);
  CHECK_THAT(huge.error(), Catch::Contains("SPARK_JAVA_OPT_1234567890"));
  auto nl = java_opts({{"SPARK_JAVA_OPT_3", "-Dsecret=hunter2\n-Dinjected"}});
  REQUIRE_FALSE(nl);
  CHECK_THAT(nl.error(), Catch::Contains("SPARK_JAVA_OPT_3") && Catch::Contains("control"));
  CHECK_THAT(nl.error(), !Catch::Contains("hunter2"));  // values are never echoed
}

TEST_CASE("k8s: SPARK_JAVA_OPT_ sizes are capped, each and in total and in count", "[k8s][java_opts]") {
  auto one = java_opts({{"SPARK_JAVA_OPT_1", std::string(kMaxJavaOptLen + 1, 'x')}});
  REQUIRE_FALSE(one);
  CHECK_THAT(one.error(), Catch::Contains("SPARK_JAVA_OPT_1") && Catch::Contains("longer"));
  Env many;
  for (std::size_t i = 0; i <= kMaxJavaOpts; ++i) many["SPARK_JAVA_OPT_" + std::to_string(i)] = "-Dx";
  auto count = java_opts(many);
  REQUIRE_FALSE(count);
  CHECK_THAT(count.error(), Catch::Contains("more than"));
  Env big;
  for (int i = 0; i < 9; ++i) big["SPARK_JAVA_OPT_" + std::to_string(i)] = std::string(kMaxJavaOptLen, 'y');
  auto total = java_opts(big);
  REQUIRE_FALSE(total);
  CHECK_THAT(total.error(), Catch::Contains("together"));
}

TEST_CASE("k8s: the exact executor command line", "[k8s][executor]") {
  Env env = executor_env();
  env["SPARK_JAVA_OPT_10"] = "-Dspark.ten=10";
  env["SPARK_JAVA_OPT_2"] = "-Dspark.two=2";
  auto c = executor_command(env);
  REQUIRE(c);
  CHECK(c->argv == Argv{"/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
                        "-Dspark.driver.port=7078",
                        "-Dspark.app.id=spark-0123abcd",
                        "-Dspark.two=2",
                        "-Dspark.ten=10",
                        "-Xms1024m",
                        "-Xmx1024m",
                        "-cp",
                        "/opt/spark/conf:/etc/hadoop:/opt/spark/jars/*",
                        "org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend",
                        "--driver-url",
                        "spark://CoarseGrainedScheduler@pi-driver-svc.default.svc:7078",
                        "--executor-id",
                        "1",
                        "--cores",
                        "1",
                        "--app-id",
                        "spark-0123abcd",
                        "--hostname",
                        "10.244.0.17",
                        "--resourceProfileId",
                        "0",
                        "--podName",
                        "pi-exec-1"});
  CHECK(c->extra_env.empty());
}

TEST_CASE("k8s: executor class path in the official order, empty entries dropped", "[k8s][classpath]") {
  Env env = executor_env();
  env["SPARK_CLASSPATH"] = "/extra/a.jar::/extra/b.jar";
  env["SPARK_EXTRA_CLASSPATH"] = "/x/*";
  env["SPARK_DIST_CLASSPATH"] = "/opt/hadoop/share/hadoop/common/*:";
  auto cp = executor_classpath(env);
  REQUIRE(cp);
  CHECK(*cp ==
        "/opt/spark/conf:/etc/hadoop:/extra/a.jar:/extra/b.jar:/opt/spark/jars/*:/x/*:"
        "/opt/hadoop/share/hadoop/common/*");
  env.erase("SPARK_CONF_DIR");
  env.erase("HADOOP_CONF_DIR");
  env["SPARK_CLASSPATH"] = "";
  auto fallback = executor_classpath(env);
  REQUIRE(fallback);
  CHECK(*fallback == "/opt/spark/conf:/opt/spark/jars/*:/x/*:/opt/hadoop/share/hadoop/common/*");
  // The dist class path is exported too, for anything the JVM starts.
  auto c = executor_command(env);
  REQUIRE(c);
  CHECK(c->extra_env.at("SPARK_DIST_CLASSPATH") == "/opt/hadoop/share/hadoop/common/*:");
}

TEST_CASE("k8s: every variable the executor needs is required, and the error names it", "[k8s][executor]") {
  for (const char* var : {"JAVA_HOME", "SPARK_HOME", "SPARK_EXECUTOR_MEMORY", "SPARK_DRIVER_URL",
                          "SPARK_EXECUTOR_ID", "SPARK_EXECUTOR_CORES", "SPARK_APPLICATION_ID",
                          "SPARK_EXECUTOR_POD_IP", "SPARK_RESOURCE_PROFILE_ID", "SPARK_EXECUTOR_POD_NAME"}) {
    INFO(var);
    Env env = executor_env();
    env.erase(var);
    auto c = executor_command(env);
    CHECK_THAT(error_of(c), Catch::StartsWith(std::string(var) + ": is not set"));
    env[var] = "";  // empty is the same as unset
    CHECK_THAT(error_of(executor_command(env)), Catch::StartsWith(std::string(var) + ": is not set"));
  }
}

TEST_CASE("k8s: hostile executor values are rejected by name, never reach the argv", "[k8s][executor]") {
  struct Bad {
    const char* var;
    std::string value;
  };
  for (const Bad& b : {Bad{"SPARK_EXECUTOR_CORES", "2; rm -rf /"}, Bad{"SPARK_EXECUTOR_CORES", "1.5"},
                       Bad{"SPARK_EXECUTOR_MEMORY", "1g -XX:OnOutOfMemoryError=sh"},
                       Bad{"SPARK_EXECUTOR_MEMORY", "m"}, Bad{"SPARK_EXECUTOR_POD_IP", "10.0.0.300"},
                       Bad{"SPARK_EXECUTOR_POD_IP", "--help"}, Bad{"SPARK_DRIVER_URL", "http://evil:7078"},
                       Bad{"SPARK_DRIVER_URL", "spark://a b"}, Bad{"SPARK_EXECUTOR_ID", "-1"},
                       Bad{"SPARK_APPLICATION_ID", "spark-$(id)"}, Bad{"SPARK_RESOURCE_PROFILE_ID", "1234567890"},
                       Bad{"SPARK_EXECUTOR_POD_NAME", "Pi_Exec"}, Bad{"SPARK_EXECUTOR_POD_NAME", std::string(254, 'a')},
                       Bad{"JAVA_HOME", "relative/jdk"}, Bad{"SPARK_HOME", "/opt/spark:/evil"},
                       Bad{"SPARK_CLASSPATH", "/a\n/b"}, Bad{"SPARK_CONF_DIR", "/conf\t"},
                       Bad{"SPARK_EXTRA_CLASSPATH", std::string(kMaxClasspathLen + 1, 'c')}}) {
    INFO(b.var << "=" << b.value.substr(0, 40));
    Env env = executor_env();
    env[b.var] = b.value;
    CHECK_THAT(error_of(executor_command(env)), Catch::StartsWith(std::string(b.var) + ": "));
  }
  Env v6 = executor_env();
  v6["SPARK_EXECUTOR_POD_IP"] = "fd00::17";
  CHECK(executor_command(v6));
}

TEST_CASE("k8s: the exact driver command line; arguments pass as they are, no shell", "[k8s][driver]") {
  Env env{{"SPARK_HOME", "/opt/spark"}, {"SPARK_DRIVER_BIND_ADDRESS", "10.244.0.9"},
          {"SPARK_JAVA_OPT_0", "-Dnot.for.the.driver=1"}};
  Argv args{"--properties-file", "/opt/spark/conf/spark.properties", "--class", "org.example.Pi",
            "local:///opt/app/pi.jar", "$(reboot) 'quoted' ; x"};
  auto c = driver_command(env, args);
  REQUIRE(c);
  CHECK(c->argv == Argv{"/opt/spark/bin/spark-submit", "--conf", "spark.driver.bindAddress=10.244.0.9",
                        "--deploy-mode", "client", "--properties-file", "/opt/spark/conf/spark.properties",
                        "--class", "org.example.Pi", "local:///opt/app/pi.jar", "$(reboot) 'quoted' ; x"});
  CHECK(c->extra_env.empty());
}

TEST_CASE("k8s: the driver needs SPARK_HOME and a bind address, and caps its arguments", "[k8s][driver]") {
  CHECK_THAT(error_of(driver_command({{"SPARK_HOME", "/opt/spark"}}, {})),
             Catch::StartsWith("SPARK_DRIVER_BIND_ADDRESS: is not set"));
  CHECK_THAT(error_of(driver_command({{"SPARK_HOME", "/opt/spark"}, {"SPARK_DRIVER_BIND_ADDRESS", "0.0.0.0 -x"}}, {})),
             Catch::StartsWith("SPARK_DRIVER_BIND_ADDRESS: "));
  CHECK_THAT(error_of(driver_command({{"SPARK_DRIVER_BIND_ADDRESS", "10.0.0.1"}}, {})),
             Catch::StartsWith("SPARK_HOME: is not set"));
  Env ok{{"SPARK_HOME", "/opt/spark"}, {"SPARK_DRIVER_BIND_ADDRESS", "10.0.0.1"}};
  CHECK_THAT(error_of(driver_command(ok, Argv(kMaxArgs + 1, "x"))), Catch::Contains("more than"));
  CHECK_THAT(error_of(driver_command(ok, Argv{"a", std::string(kMaxArgLen + 1, 'b')})),
             Catch::Contains("driver argument 2"));
  ok["SPARK_DIST_CLASSPATH"] = "/h/*";
  auto c = driver_command(ok, {});
  REQUIRE(c);
  CHECK(c->extra_env == Env{{"SPARK_DIST_CLASSPATH", "/h/*"}});
}

TEST_CASE("k8s: hadoop classpath is wanted only with HADOOP_HOME and no SPARK_DIST_CLASSPATH", "[k8s][classpath]") {
  CHECK(wants_hadoop_classpath({{"HADOOP_HOME", "/opt/hadoop"}}));
  CHECK(wants_hadoop_classpath({{"HADOOP_HOME", "/opt/hadoop"}, {"SPARK_DIST_CLASSPATH", ""}}));
  CHECK_FALSE(wants_hadoop_classpath({{"HADOOP_HOME", "/opt/hadoop"}, {"SPARK_DIST_CLASSPATH", "/x"}}));
  CHECK_FALSE(wants_hadoop_classpath({{"HADOOP_HOME", ""}}));
  CHECK_FALSE(wants_hadoop_classpath({}));
  auto cp = parse_hadoop_classpath("/etc/hadoop:/opt/hadoop/share/hadoop/common/*\n");
  REQUIRE(cp);
  CHECK(*cp == "/etc/hadoop:/opt/hadoop/share/hadoop/common/*");
  CHECK_FALSE(parse_hadoop_classpath("/a\nWARNING: junk\n"));
  CHECK_FALSE(parse_hadoop_classpath(std::string(kMaxClasspathLen + 1, 'x')));
}

TEST_CASE("k8s: the passwd entry for an arbitrary UID (OpenShift)", "[k8s][user]") {
  auto anon = passwd_entry({{"SPARK_HOME", "/opt/spark"}}, 1000650000, 0);
  REQUIRE(anon);
  CHECK(*anon == "1000650000:x:1000650000:0:anonymous uid:/opt/spark:/bin/false\n");
  auto named = passwd_entry({{"SPARK_USER_NAME", "alice"}}, 42, 42);
  REQUIRE(named);
  CHECK(*named == "42:x:42:42:alice:/:/bin/false\n");
  auto bad = passwd_entry({{"SPARK_USER_NAME", "x:0:0:root:/root:/bin/bash\nroot2"}}, 42, 42);
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error(), Catch::StartsWith("SPARK_USER_NAME: "));
}

TEST_CASE("k8s: the JVM's work dir is $SPARK_HOME/work-dir, as the official image's WORKDIR", "[k8s][user]") {
  CHECK(work_dir({{"SPARK_HOME", "/opt/spark"}}) == "/opt/spark/work-dir");
  CHECK(work_dir({}).empty());
  CHECK(work_dir({{"SPARK_HOME", "relative"}}).empty());
}

TEST_CASE("k8s: nss_wrapper files for a UID without an entry, and the environment that loads them", "[k8s][user]") {
  const char* passwd = "root:x:0:0:root:/root:/bin/bash\nspark:x:998:998::/data/spark:/usr/sbin/nologin";
  const char* group = "root:x:0:\nhadoop:x:998:\n";
  auto f = nss_wrapper_files({{"SPARK_HOME", "/opt/spark"}}, 1000650000, 0, passwd, group);
  REQUIRE(f);
  CHECK(f->passwd == std::string(passwd) + "\n1000650000:x:1000650000:0:anonymous uid:/opt/spark:/bin/false\n");
  CHECK(f->group == group);  // GID 0 exists
  auto g = nss_wrapper_files({}, 4242, 4242, passwd, group);
  REQUIRE(g);
  CHECK(g->group == std::string(group) + "spark4242:x:4242:\n");
  auto e = nss_wrapper_env({{"LD_PRELOAD", "/lib/a.so"}}, "/usr/lib/libnss_wrapper.so", "/tmp/vessel-nss-x");
  CHECK(e == Env{{"LD_PRELOAD", "/lib/a.so:/usr/lib/libnss_wrapper.so"},
                 {"NSS_WRAPPER_PASSWD", "/tmp/vessel-nss-x/passwd"},
                 {"NSS_WRAPPER_GROUP", "/tmp/vessel-nss-x/group"}});
  CHECK(nss_wrapper_env({}, "/l.so", "/d").at("LD_PRELOAD") == "/l.so");
  CHECK_FALSE(nss_wrapper_files({{"SPARK_USER_NAME", "a:b"}}, 1, 1, passwd, group));
}
