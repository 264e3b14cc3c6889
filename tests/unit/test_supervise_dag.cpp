// Start order from depends_on: stable, dependencies first, cycles named.
#include <catch2/catch.hpp>

#include "supervise/dag.hpp"

using namespace vessel;

namespace {

ServiceSpec svc(std::string name, std::vector<std::string> deps = {}) {
  ServiceSpec s;
  s.name = std::move(name);
  s.argv = {"x"};
  s.depends_on = std::move(deps);
  return s;
}

std::vector<std::string> names(const std::vector<ServiceSpec>& v) {
  std::vector<std::string> out;
  for (const auto& s : v) out.push_back(s.name);
  return out;
}

std::vector<std::string> order(std::vector<ServiceSpec> v) {
  auto r = order_services(std::move(v));
  REQUIRE(r.ok());
  return names(*r);
}

std::string order_error(std::vector<ServiceSpec> v) {
  auto r = order_services(std::move(v));
  REQUIRE_FALSE(r.ok());
  return r.error();
}

}  // namespace

TEST_CASE("dag: independent services keep file order", "[supervise][dag]") {
  CHECK(order({svc("c"), svc("a"), svc("b")}) == std::vector<std::string>{"c", "a", "b"});
}

TEST_CASE("dag: a dependency moves before its dependent, others stay put", "[supervise][dag]") {
  CHECK(order({svc("worker", {"namenode"}), svc("namenode"), svc("other")}) ==
        std::vector<std::string>{"namenode", "worker", "other"});
  CHECK(order({svc("x"), svc("b", {"a"}), svc("a"), svc("y")}) == std::vector<std::string>{"x", "a", "b", "y"});
}

TEST_CASE("dag: a chain comes out in dependency order", "[supervise][dag]") {
  CHECK(order({svc("c", {"b"}), svc("b", {"a"}), svc("a")}) == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("dag: diamond puts the root first and the join last, each once", "[supervise][dag]") {
  //      top
  //     /   \.
  //  left   right
  //     \   /
  //     bottom
  auto o = order({svc("bottom", {"left", "right"}), svc("left", {"top"}), svc("right", {"top"}), svc("top")});
  CHECK(o == std::vector<std::string>{"top", "left", "right", "bottom"});
}

TEST_CASE("dag: output is a valid order for every service", "[supervise][dag]") {
  std::vector<ServiceSpec> in{svc("e", {"d", "a"}), svc("d", {"b"}), svc("c"), svc("b", {"c"}), svc("a", {"c"})};
  auto r = order_services(in);
  REQUIRE(r.ok());
  auto o = names(*r);
  REQUIRE(o.size() == in.size());
  auto pos = [&](const std::string& n) { return std::find(o.begin(), o.end(), n) - o.begin(); };
  for (const auto& s : in) {
    CHECK(pos(s.name) < static_cast<long>(o.size()));
    for (const auto& d : s.depends_on) CHECK(pos(d) < pos(s.name));
  }
}

TEST_CASE("dag: errors", "[supervise][dag]") {
  CHECK(order_error({svc("a"), svc("a")}) == "services: duplicate service name 'a'");
  CHECK(order_error({svc("a", {"ghost"})}) == "services.a.depends_on: unknown service 'ghost'");
  CHECK(order_error({svc("a", {"a"})}) == "services.a.depends_on: a service cannot depend on itself");
  CHECK(order_error({svc("a", {"b"}), svc("b", {"a"})}) == "services: dependency cycle: a -> b -> a");
  // The cycle reported is the cycle itself, not the path that led to it.
  CHECK(order_error({svc("entry", {"x"}), svc("x", {"y"}), svc("y", {"z"}), svc("z", {"x"})}) ==
        "services: dependency cycle: x -> y -> z -> x");
}

TEST_CASE("dag: empty input is an empty order", "[supervise][dag]") {
  auto r = order_services({});
  REQUIRE(r.ok());
  CHECK(r->empty());
}
