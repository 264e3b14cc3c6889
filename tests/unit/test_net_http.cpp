// net::http_request against a real server on 127.0.0.1: the method sent is
// the one asked for (a DELETE went out as a GET, so a drained worker's
// DELETE /v1/cluster/members/<name> never left the membership; found by
// tests/scalein).
#include <catch2/catch.hpp>

#include "cluster_test_util.hpp"
#include "net/http.hpp"

using namespace vessel;

TEST_CASE("http_request sends the method it is given", "[net][http]") {
  auto s = std::make_unique<httplib::Server>();
  auto answer = [](const char* what) {
    return [what](const httplib::Request& req, httplib::Response& res) {
      res.set_content(std::string(what) + " " + req.path + " body=" + std::to_string(req.body.size()), "text/plain");
    };
  };
  s->Get("/m", answer("GET"));
  s->Post("/m", answer("POST"));
  s->Delete("/m", answer("DELETE"));
  test::ServerThread srv(std::move(s));
  net::HttpPolicy p;
  p.timeout = std::chrono::seconds(2);
  p.retries = 0;
  const std::string url = "http://127.0.0.1:" + std::to_string(srv.port()) + "/m";
  auto send = [&](const std::string& method, const std::string& body = "") {
    net::HttpRequest r;
    r.method = method;
    r.url = url;
    r.body = body;
    auto a = net::http_request(r, p);
    REQUIRE(a);
    CHECK(a->status == 200);
    return a->body;
  };
  CHECK(send("GET") == "GET /m body=0");
  CHECK(send("POST", "abc") == "POST /m body=3");
  CHECK(send("DELETE") == "DELETE /m body=0");
}
