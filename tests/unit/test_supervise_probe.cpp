// The pure part of HTTP probes: JSON pointer checks on a response body, and
// the network probes against real local sockets.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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
