// The membership HTTP API against a real server on 127.0.0.1.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cluster/api.hpp"
#include "cluster/bearer.hpp"
#include "cluster_test_util.hpp"

using namespace vessel;
using namespace vessel::cluster;
using nlohmann::json;

namespace {

const Secret kToken("s3cret-token-value");

struct ApiFixture {
  Membership members{{{"10.0.0.1", "master"}}};
  std::unique_ptr<test::ServerThread> srv;
  explicit ApiFixture(ApiLimits limits = {}) {
    auto s = std::make_unique<httplib::Server>();
    register_cluster_routes(*s, members, kToken, limits);
    srv = std::make_unique<test::ServerThread>(std::move(s));
  }
  httplib::Client client() {
    httplib::Client c("127.0.0.1", srv->port());
    c.set_connection_timeout(std::chrono::seconds(2));
    c.set_read_timeout(std::chrono::seconds(2));
    return c;
  }
  httplib::Result post(const std::string& body, const std::string& auth = "Bearer " + kToken.reveal()) {
    auto c = client();
    httplib::Headers h;
    if (!auth.empty()) h.emplace("Authorization", auth);
    return c.Post("/v1/cluster/members", h, body, "application/json");
  }
};

std::string error_of(const httplib::Result& r) {
  auto j = json::parse(r->body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"].get<std::string>() : "<no error field>";
}

}  // namespace

TEST_CASE("bearer_matches", "[cluster][api]") {
  CHECK(bearer_matches("Bearer abc", Secret("abc")));
  CHECK_FALSE(bearer_matches("Bearer abcd", Secret("abc")));
  CHECK_FALSE(bearer_matches("Bearer ab", Secret("abc")));
  CHECK_FALSE(bearer_matches("bearer abc", Secret("abc")));
  CHECK_FALSE(bearer_matches("abc", Secret("abc")));
  CHECK_FALSE(bearer_matches("Bearer ", Secret("")));  // unconfigured token never matches
}

TEST_CASE("register with a good token, then heartbeat", "[cluster][api]") {
  ApiFixture f;
  auto r = f.post(R"({"name":"w1","role":"worker"})");
  REQUIRE(r);
  CHECK(r->status == 201);
  auto j = json::parse(r->body);
  CHECK(j["ip"] == "127.0.0.1");  // defaulted from the connection
  CHECK(j["status"] == "created");

  auto again = f.post(R"({"name":"w1","role":"worker","ip":"127.0.0.1"})");
  REQUIRE(again);
  CHECK(again->status == 200);
  CHECK(json::parse(again->body)["status"] == "refreshed");

  auto c = f.client();
  auto hosts = c.Get("/v1/cluster/hosts");  // no token needed
  REQUIRE(hosts);
  REQUIRE(hosts->status == 200);
  auto hj = json::parse(hosts->body);
  CHECK(hj["hosts"] == json::parse(R"([{"ip":"10.0.0.1","name":"master"},{"ip":"127.0.0.1","name":"w1"}])"));
  CHECK(hj["version"] == f.members.version());

  auto text = c.Get("/v1/cluster/hosts?format=hosts");
  REQUIRE(text);
  CHECK(text->body == "10.0.0.1 master\n127.0.0.1 w1\n");
  CHECK(text->get_header_value("Content-Type") == "text/plain");

  auto mem = c.Get("/v1/cluster/members");
  REQUIRE(mem);
  auto mj = json::parse(mem->body);
  REQUIRE(mj["members"].size() == 1);
  CHECK(mj["members"][0]["name"] == "w1");
  CHECK(mj["members"][0]["state"] == "alive");
  CHECK(mj["members"][0]["role"] == "worker");
  CHECK(mj["static"][0]["name"] == "master");
}

TEST_CASE("no token, bad token, wrong scheme: 401 without echoing", "[cluster][api]") {
  ApiFixture f;
  const std::string body = R"({"name":"w1","role":"worker"})";
  for (const std::string& auth : {std::string(), std::string("Bearer wrong"),
                                 "Basic " + kToken.reveal(), "Bearer " + kToken.reveal() + "x"}) {
    INFO("auth header: " << (auth.empty() ? "<none>" : auth.substr(0, 6)));
    auto r = f.post(body, auth);
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK(r->body.find(kToken.reveal()) == std::string::npos);
    CHECK(r->body.find("wrong") == std::string::npos);
    CHECK(r->get_header_value("WWW-Authenticate") == "Bearer");
  }
  CHECK(f.members.members().empty());
}

TEST_CASE("oversized body is refused with 413", "[cluster][api]") {
  ApiFixture f;
  const std::string big = R"({"name":"w1","role":"worker","pad":")" + std::string(5000, 'x') + "\"}";
  auto r = f.post(big);
  REQUIRE(r);
  CHECK(r->status == 413);
  CHECK(error_of(r).rfind("body:", 0) == 0);

  // Chunked upload (no Content-Length): the limit holds while streaming.
  auto c = f.client();
  httplib::Headers h{{"Authorization", "Bearer " + kToken.reveal()}};
  auto chunked = c.Post(
      "/v1/cluster/members", h,
      [&](size_t offset, httplib::DataSink& sink) {
        if (offset < big.size()) {
          sink.write(big.data() + offset, std::min<size_t>(1000, big.size() - offset));
        } else {
          sink.done();
        }
        return true;
      },
      "application/json");
  // The server stops reading and answers 413; depending on timing the
  // client sees that answer or a reset while it is still sending. Either
  // way nothing may be registered.
  if (chunked) {
    CHECK(chunked->status == 413);
  } else {
    CHECK((chunked.error() == httplib::Error::Write || chunked.error() == httplib::Error::Read));
  }
  CHECK(f.members.members().empty());

  // The server is still healthy afterwards.
  auto ok = f.post(R"({"name":"w1","role":"worker"})");
  REQUIRE(ok);
  CHECK(ok->status == 201);
}

TEST_CASE("malformed and invalid bodies: 400 naming the field", "[cluster][api]") {
  ApiFixture f;
  struct Case {
    std::string body;
    std::string field_prefix;
  };
  const std::vector<Case> cases = {
      {"{not json", "body:"},
      {"", "body:"},
      {"[1,2]", "body:"},
      {R"({"role":"worker"})", "name:"},
      {R"({"name":7,"role":"worker"})", "name:"},
      {R"({"name":"w1\n6.6.6.6 bank","role":"worker"})", "name:"},
      {R"({"name":"w_1","role":"worker"})", "name:"},
      {R"({"name":"w1"})", "role:"},
      {R"({"name":"w1","role":"Boss"})", "role:"},
      {R"({"name":"w1","role":"9-lives"})", "role:"},
      {R"({"name":"w1","role":"worker","ip":"127.0.0.1\n6.6.6.6 bank"})", "ip:"},
      {R"({"name":"w1","role":"worker","ip":42})", "ip:"},
      {R"({"name":"w1","role":"worker","on_behalf":"yes"})", "on_behalf:"},
  };
  for (const auto& c : cases) {
    INFO("body: " << c.body);
    auto r = f.post(c.body);
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(error_of(r).rfind(c.field_prefix, 0) == 0);
  }
  CHECK(f.members.members().empty());
}

TEST_CASE("registering another address needs on_behalf", "[cluster][api]") {
  ApiFixture f;
  auto r = f.post(R"({"name":"w1","role":"worker","ip":"10.0.0.11"})");
  REQUIRE(r);
  CHECK(r->status == 403);
  CHECK(error_of(r).rfind("ip:", 0) == 0);
  CHECK(f.members.members().empty());

  auto ok = f.post(R"({"name":"w1","role":"worker","ip":"10.0.0.11","on_behalf":true})");
  REQUIRE(ok);
  CHECK(ok->status == 201);
  REQUIRE(f.members.members().size() == 1);
  CHECK(f.members.members()[0].ip == "10.0.0.11");
}

// This test used to assert 409 for both requests below: it documented
// issue 9's bug. A registered (name, ip) now wins over a static entry, and a
// live member re-registering from a new ip moves.
TEST_CASE("regress: a static name and a moved worker register over the API", "[cluster][api]") {
  ApiFixture f;
  auto r = f.post(R"({"name":"master","role":"master"})");  // static master is 10.0.0.1
  REQUIRE(r);
  CHECK(r->status == 201);
  REQUIRE(f.post(R"({"name":"w1","role":"worker","ip":"10.0.0.11","on_behalf":true})")->status == 201);
  auto moved = f.post(R"({"name":"w1","role":"worker"})");  // alive, now from 127.0.0.1
  REQUIRE(moved);
  CHECK(moved->status == 200);
  CHECK(json::parse(moved->body)["status"] == "moved");

  auto text = f.client().Get("/v1/cluster/hosts?format=hosts");
  REQUIRE(text);
  CHECK(text->body == "127.0.0.1 master\n127.0.0.1 w1\n");  // no 10.0.0.1, no 10.0.0.11
}

TEST_CASE("GET members lists departed members", "[cluster][api]") {
  test::FakeClock clock;
  MembershipOptions opts;
  opts.remove_after = std::chrono::seconds(60);
  Membership table({}, opts, clock.fn());
  auto s = std::make_unique<httplib::Server>();
  register_cluster_routes(*s, table, kToken);
  test::ServerThread srv(std::move(s));
  REQUIRE(table.upsert({"w1", "10.0.0.11", "spark-worker"}).ok());
  httplib::Client c("127.0.0.1", srv.port());

  auto before = c.Get("/v1/cluster/members");
  REQUIRE(before);
  CHECK(json::parse(before->body)["departed"] == json::array());

  clock.t += std::chrono::seconds(61);
  auto after = c.Get("/v1/cluster/members");
  REQUIRE(after);
  auto j = json::parse(after->body);
  CHECK(j["members"] == json::array());
  REQUIRE(j["departed"].size() == 1);
  CHECK(j["departed"][0]["name"] == "w1");
  CHECK(j["departed"][0]["ip"] == "10.0.0.11");
  CHECK(j["departed"][0]["role"] == "spark-worker");
  CHECK(j["departed"][0]["removed_ago_ms"] == 0);
  const std::string at = j["departed"][0]["removed_at"].get<std::string>();
  CHECK(at.size() == 20);  // 2026-12-03T12:46:02Z
  CHECK(at.back() == 'Z');
  auto hosts = c.Get("/v1/cluster/hosts?format=hosts");
  REQUIRE(hosts);
  CHECK(hosts->body.empty());
}

TEST_CASE("rate limit per peer answers 429", "[cluster][api]") {
  ApiLimits limits;
  limits.rate.per_second = 0.5;  // refill too slow to matter in this test
  limits.rate.burst = 5;
  ApiFixture f(limits);
  int ok = 0, limited = 0;
  for (int i = 0; i < 8; ++i) {
    auto r = i % 2 ? f.post(R"({"name":"w1","role":"worker"})") : f.client().Get("/v1/cluster/hosts");
    REQUIRE(r);
    if (r->status == 429) {
      ++limited;
      CHECK(r->get_header_value("Retry-After") == "1");
    } else {
      ++ok;
    }
  }
  CHECK(ok == 5);
  CHECK(limited == 3);
  // Unauthenticated attempts are limited too (token guessing).
  auto guess = f.post(R"({"name":"w1","role":"worker"})", "Bearer guess");
  REQUIRE(guess);
  CHECK(guess->status == 429);
}
