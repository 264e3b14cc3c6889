// The pure part of HTTP probes: JSON pointer checks on a response body, and
// the network probes against real local sockets.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "cluster_test_util.hpp"
#include "supervise/probe.hpp"

using namespace vessel;

namespace {

ProbeSpec http(std::string pointer, std::optional<std::string> equals = std::nullopt) {
  ProbeSpec p;
  p.kind = ProbeSpec::Kind::Http;
  p.host = "127.0.0.1";
  p.port = 9870;
  p.path = "/jmx";
  p.json_pointer = std::move(pointer);
  p.json_equals = std::move(equals);
  return p;
}

}  // namespace

TEST_CASE("check_json_body: no pointer accepts any body", "[supervise][probe]") {
  CHECK(check_json_body(http(""), "not json at all").ok);
}

TEST_CASE("check_json_body: string and non-string values", "[supervise][probe]") {
  const std::string body = R"({"status":"ALIVE","beans":[{"State":"active","n":3,"safe":false}]})";
  CHECK(check_json_body(http("/status", "ALIVE"), body).ok);
  CHECK(check_json_body(http("/status"), body).ok);  // presence only
  CHECK(check_json_body(http("/beans/0/State", "active"), body).ok);
  CHECK(check_json_body(http("/beans/0/n", "3"), body).ok);         // numbers compare as text
  CHECK(check_json_body(http("/beans/0/safe", "false"), body).ok);  // booleans too

  auto wrong = check_json_body(http("/status", "DEAD"), body);
  CHECK_FALSE(wrong.ok);
  CHECK(wrong.detail == "http://127.0.0.1:9870/jmx: /status is 'ALIVE', want 'DEAD'");

  auto missing = check_json_body(http("/nope", "x"), body);
  CHECK_FALSE(missing.ok);
  CHECK(missing.detail == "http://127.0.0.1:9870/jmx: /nope not found");

  auto out_of_range = check_json_body(http("/beans/5/State"), body);
  CHECK_FALSE(out_of_range.ok);
  CHECK(out_of_range.detail == "http://127.0.0.1:9870/jmx: /beans/5/State not found");
}

TEST_CASE("check_json_body: body that is not JSON", "[supervise][probe]") {
  auto r = check_json_body(http("/status", "ALIVE"), "<html>ALIVE</html>");
  CHECK_FALSE(r.ok);
  CHECK(r.detail == "http://127.0.0.1:9870/jmx: body is not JSON");
}

TEST_CASE("check_json_body: long values are cut in the detail", "[supervise][probe]") {
  const std::string big(500, 'x');
  auto r = check_json_body(http("/v", "y"), "{\"v\":\"" + big + "\"}");
  CHECK_FALSE(r.ok);
  CHECK(r.detail == "http://127.0.0.1:9870/jmx: /v is '" + std::string(80, 'x') + "', want 'y'");
}

TEST_CASE("describe_probe", "[supervise][probe]") {
  ProbeSpec t;
  t.kind = ProbeSpec::Kind::Tcp;
  t.host = "h";
  t.port = 1;
  CHECK(describe_probe(t) == "tcp h:1");
  ProbeSpec e;
  e.kind = ProbeSpec::Kind::Exec;
  e.argv = {"pg_isready", "-q"};
  CHECK(describe_probe(e) == "exec pg_isready");
  CHECK(describe_probe(ProbeSpec{}) == "none");
}

TEST_CASE("tcp probe against a real listener and a closed port", "[supervise][probe]") {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
  REQUIRE(listen(fd, 4) == 0);
  socklen_t len = sizeof(a);
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ProbeSpec p;
  p.kind = ProbeSpec::Kind::Tcp;
  p.host = "127.0.0.1";
  p.port = ntohs(a.sin_port);
  p.timeout = Millis{2000};
  auto up = run_network_probe(p);
  CHECK(up.ok);
  CHECK(up.detail.empty());
  close(fd);  // now the port refuses
  auto down = run_network_probe(p);
  CHECK_FALSE(down.ok);
  CHECK(down.detail == "connect 127.0.0.1:" + std::to_string(p.port) + ": Connection refused");
}

// --- JSON inside a string (Hadoop JMX) and array matches (Spark master) ------

namespace {

// A DataNode's DataNodeInfo bean as Hadoop 3.4 serves it (trimmed): the
// BPServiceActorInfo attribute is a JSON-encoded string.
std::string datanode_info(const std::string& actor_state) {
  nlohmann::json actors = nlohmann::json::array(
      {{{"NamenodeAddress", "spark-master:8020"},
        {"NamenodeHaState", "Unknown"},
        {"BlockPoolID", "BP-1796425371-10.1.1.1-1764760000000"},
        {"ActorState", actor_state},
        {"LastHeartbeat", "1"},
        {"LastHeartbeatResponseTime", "1"},
        {"LastBlockReport", "12"},
        {"maxBlockReportSize", "0"},
        {"maxDataLength", "134217728"}}});
  nlohmann::json bean = {{"name", "Hadoop:service=DataNode,name=DataNodeInfo"},
                         {"modelerType", "org.apache.hadoop.hdfs.server.datanode.DataNode"},
                         {"XceiverCount", 0},
                         {"Version", "3.4.0"},
                         {"RpcPort", "9867"},
                         {"DataPort", 9866},
                         {"ClusterId", "CID-7e1c6d4e-0b7c-4b9a-9d9e-2f4a9f1b7c11"},
                         {"NamenodeAddresses", "{\"spark-master\":\"BP-1796425371-10.1.1.1-1764760000000\"}"},
                         {"BPServiceActorInfo", actors.dump()},
                         {"DiskBalancerStatus", ""}};
  return nlohmann::json{{"beans", {bean}}}.dump(1);
}

// Spark master GET /json/ (trimmed).
const char* kSparkMaster = R"({
  "url" : "spark://spark-master:7077",
  "workers" : [ {
    "id" : "worker-20261203124501-10.1.1.3-7078", "host" : "10.1.1.3", "port" : 7078,
    "webuiaddress" : "http://10.1.1.3:8081", "cores" : 2, "coresused" : 0, "memory" : 2048,
    "state" : "ALIVE", "lastheartbeat" : 1764765901000
  }, {
    "id" : "worker-20261203124400-10.1.1.2-7078", "host" : "10.1.1.2", "port" : 7078,
    "webuiaddress" : "http://10.1.1.2:8081", "cores" : 2, "coresused" : 0, "memory" : 2048,
    "state" : "DEAD", "lastheartbeat" : 1764765800000
  } ],
  "aliveworkers" : 1, "cores" : 2, "activeapps" : [ ], "completedapps" : [ ],
  "status" : "ALIVE"
})";

ProbeSpec any(std::string pointer, std::map<std::string, std::string> where) {
  ProbeSpec p = http("");
  p.port = 8080;
  p.path = "/json/";
  p.json_any = JsonAny{std::move(pointer), std::move(where)};
  return p;
}

}  // namespace

TEST_CASE("check_json_body: the pointer walks into a string that holds JSON", "[supervise][probe]") {
  const auto ptr = "/beans/0/BPServiceActorInfo/0/ActorState";
  CHECK(check_json_body(http(ptr, "RUNNING"), datanode_info("RUNNING")).ok);
  CHECK(check_json_body(http("/beans/0/NamenodeAddresses/spark-master"), datanode_info("RUNNING")).ok);
  // The string itself, when the pointer ends on it, is compared as text.
  CHECK(check_json_body(http("/beans/0/DiskBalancerStatus", ""), datanode_info("RUNNING")).ok);

  auto connecting = check_json_body(http(ptr, "RUNNING"), datanode_info("CONNECTING"));
  CHECK_FALSE(connecting.ok);
  CHECK(connecting.detail == std::string("http://127.0.0.1:9870/jmx: ") + ptr + " is 'CONNECTING', want 'RUNNING'");

  auto no_actor = check_json_body(http("/beans/0/BPServiceActorInfo/1/ActorState", "RUNNING"), datanode_info("RUNNING"));
  CHECK_FALSE(no_actor.ok);
  CHECK(no_actor.detail == "http://127.0.0.1:9870/jmx: /beans/0/BPServiceActorInfo/1/ActorState not found");

  const std::string empty_actors = R"({"beans":[{"BPServiceActorInfo":"[]"}]})";
  auto none = check_json_body(http(ptr, "RUNNING"), empty_actors);
  CHECK_FALSE(none.ok);
  CHECK(none.detail == std::string("http://127.0.0.1:9870/jmx: ") + ptr + " not found");
}

TEST_CASE("check_json_body: a string that is not JSON, or too big, stops the walk", "[supervise][probe]") {
  auto r = check_json_body(http("/beans/0/Version/x", "y"), datanode_info("RUNNING"));
  CHECK_FALSE(r.ok);
  CHECK(r.detail == "http://127.0.0.1:9870/jmx: /beans/0/Version/x: /beans/0/Version is a string that is not JSON");

  // Just under the cap parses; one byte over is refused without parsing.
  const auto inner = [](std::size_t size) {
    std::string s = "[\"" + std::string(size - 4, 'a') + "\"]";
    REQUIRE(s.size() == size);
    return nlohmann::json{{"v", s}}.dump();
  };
  CHECK(check_json_body(http("/v/0"), inner(kMaxEmbeddedJson)).ok);
  auto big = check_json_body(http("/v/0"), inner(kMaxEmbeddedJson + 1));
  CHECK_FALSE(big.ok);
  CHECK(big.detail == "http://127.0.0.1:9870/jmx: /v/0: /v is a string of " + std::to_string(kMaxEmbeddedJson + 1) +
                          " bytes, more than the " + std::to_string(kMaxEmbeddedJson) + " parsed as JSON");
}

TEST_CASE("resolve_json_pointer: escapes, indices, scalars", "[supervise][probe]") {
  const auto doc = nlohmann::json::parse(R"({"a/b":{"~k":[10,20]},"n":5,"s":"{\"x\":\"[1,2]\"}"})");
  CHECK(*resolve_json_pointer(doc, "/a~1b/~0k/1") == 20);
  CHECK(*resolve_json_pointer(doc, "") == doc);
  CHECK(*resolve_json_pointer(doc, "/s/x/1") == 2);  // two levels of JSON in strings
  CHECK(resolve_json_pointer(doc, "/a~1b/~0k/01").error() == "/a~1b/~0k/01 not found");  // no leading zeros
  CHECK(resolve_json_pointer(doc, "/a~1b/~0k/-").error() == "/a~1b/~0k/- not found");
  CHECK(resolve_json_pointer(doc, "/n/x").error() == "/n/x not found");  // into a number
  CHECK(resolve_json_pointer(doc, "/a~2").error() == "/a~2 is not a JSON pointer");
  CHECK(resolve_json_pointer(doc, "a").error() == "a is not a JSON pointer");
}

TEST_CASE("check_json_body: json_any matches one element with every field", "[supervise][probe]") {
  CHECK(check_json_body(any("/workers", {{"host", "10.1.1.3"}, {"state", "ALIVE"}}), kSparkMaster).ok);
  CHECK(check_json_body(any("/workers", {{"port", "7078"}}), kSparkMaster).ok);  // numbers as text

  // 10.1.1.2 is listed, but DEAD: no single element has both fields.
  auto dead = check_json_body(any("/workers", {{"host", "10.1.1.2"}, {"state", "ALIVE"}}), kSparkMaster);
  CHECK_FALSE(dead.ok);
  CHECK(dead.detail ==
        "http://127.0.0.1:8080/json/: no element of /workers with host=10.1.1.2, state=ALIVE (2 elements: "
        "host=10.1.1.3 state=ALIVE; host=10.1.1.2 state=DEAD)");

  auto missing_field = check_json_body(any("/workers", {{"rack", "r1"}}), kSparkMaster);
  CHECK_FALSE(missing_field.ok);
  CHECK(missing_field.detail == "http://127.0.0.1:8080/json/: no element of /workers with rack=r1 (2 elements: "
                                "rack=(missing); rack=(missing))");

  auto empty = check_json_body(any("/activeapps", {{"id", "x"}}), kSparkMaster);
  CHECK_FALSE(empty.ok);
  CHECK(empty.detail == "http://127.0.0.1:8080/json/: no element of /activeapps with id=x (0 elements)");

  auto not_array = check_json_body(any("/status", {{"x", "y"}}), kSparkMaster);
  CHECK_FALSE(not_array.ok);
  CHECK(not_array.detail == "http://127.0.0.1:8080/json/: /status is not an array");

  auto no_pointer = check_json_body(any("/nodes", {{"x", "y"}}), kSparkMaster);
  CHECK_FALSE(no_pointer.ok);
  CHECK(no_pointer.detail == "http://127.0.0.1:8080/json/: /nodes not found");

  // With json_pointer/equals too, both must pass.
  auto both = any("/workers", {{"host", "10.1.1.3"}});
  both.json_pointer = "/status";
  both.json_equals = "STANDBY";
  CHECK_FALSE(check_json_body(both, kSparkMaster).ok);
  both.json_equals = "ALIVE";
  CHECK(check_json_body(both, kSparkMaster).ok);
}

TEST_CASE("http probe against a real server with canned JMX and Spark JSON", "[supervise][probe]") {
  std::atomic<bool> running{false};  // the server thread reads it
  auto srv = std::make_unique<httplib::Server>();
  srv->Get("/jmx", [&](const httplib::Request& req, httplib::Response& res) {
    // The path arrives as the role file wrote it: ',' not re-encoded.
    if (req.target != "/jmx?qry=Hadoop:service=DataNode,name=DataNodeInfo") {
      res.set_content(R"({"beans":[]})", "application/json");
      return;
    }
    res.set_content(datanode_info(running ? "RUNNING" : "CONNECTING"), "application/json");
  });
  srv->Get("/json/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kSparkMaster, "application/json");
  });
  srv->Get("/huge", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(kMaxProbeBody + 1, ' '), "application/json");
  });
  vessel::test::ServerThread server(std::move(srv));

  ProbeSpec dn = http("/beans/0/BPServiceActorInfo/0/ActorState", "RUNNING");
  dn.port = server.port();
  dn.path = "/jmx?qry=Hadoop:service=DataNode,name=DataNodeInfo";
  auto before = run_network_probe(dn);
  CHECK_FALSE(before.ok);
  CHECK(before.conclusive);  // up, and wrong
  CHECK_THAT(before.detail, Catch::EndsWith("/beans/0/BPServiceActorInfo/0/ActorState is 'CONNECTING', want 'RUNNING'"));
  running = true;
  CHECK(run_network_probe(dn).ok);

  ProbeSpec w = any("/workers", {{"host", "10.1.1.3"}, {"state", "ALIVE"}});
  w.port = server.port();
  CHECK(run_network_probe(w).ok);
  w.json_any->where["host"] = "10.1.1.9";
  auto absent = run_network_probe(w);
  CHECK_FALSE(absent.ok);
  CHECK_THAT(absent.detail, Catch::Contains("no element of /workers with host=10.1.1.9, state=ALIVE"));

  ProbeSpec huge = http("/x");
  huge.port = server.port();
  huge.path = "/huge";
  auto h = run_network_probe(huge);
  CHECK_FALSE(h.ok);
  CHECK(h.detail == "GET http://127.0.0.1:" + std::to_string(server.port()) + "/huge: body larger than " +
                        std::to_string(kMaxProbeBody) + " bytes");

  ProbeSpec nothing = http("/status");
  nothing.port = server.port();
  nothing.path = "/missing";
  auto n = run_network_probe(nothing);
  CHECK_FALSE(n.ok);
  CHECK_FALSE(n.conclusive);  // an HTTP error is "not up yet" to node checks
  CHECK_THAT(n.detail, Catch::EndsWith(": HTTP 404"));

  server.stop();
  auto down = run_network_probe(dn);
  CHECK_FALSE(down.ok);
  CHECK_FALSE(down.conclusive);  // nobody answered: "not up yet" for node checks
}

TEST_CASE("check_json_body: which failures are conclusive (judged) and which mean not up yet",
          "[supervise][probe]") {
  const std::string body = R"({"beans":[{"NumFailedVolumes":1}],"workers":[]})";
  const std::string no_bean = R"({"beans":[]})";
  CHECK(check_json_body(http("/beans/0/NumFailedVolumes", "0"), body).conclusive);       // wrong value
  CHECK(check_json_body(http("/beans/0/NumFailedVolumes", "1"), body).conclusive);       // right value
  CHECK_FALSE(check_json_body(http("/beans/0/NumFailedVolumes", "0"), no_bean).conclusive);  // bean not there yet
  CHECK_FALSE(check_json_body(http("/x", "0"), "<html/>").conclusive);                  // not JSON
  CHECK(check_json_body(any("/workers", {{"host", "h"}}), body).conclusive);            // no match
  CHECK_FALSE(check_json_body(any("/nodes", {{"host", "h"}}), body).conclusive);        // no array yet
}
