#include "supervise/dag.hpp"

#include <map>

namespace vessel {

Result<std::vector<ServiceSpec>> order_services(std::vector<ServiceSpec> services) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < services.size(); ++i) {
    if (!index.emplace(services[i].name, i).second) {
      return err("services: duplicate service name '" + services[i].name + "'");
    }
  }
  for (const auto& s : services) {
    for (const auto& d : s.depends_on) {
      if (!index.count(d)) return err("services." + s.name + ".depends_on: unknown service '" + d + "'");
      if (d == s.name) return err("services." + s.name + ".depends_on: a service cannot depend on itself");
    }
  }
  // Depth-first with colours; the path on the stack names a cycle exactly.
  enum Colour { White, Grey, Black };
  std::vector<Colour> colour(services.size(), White);
  std::vector<std::size_t> order, stack;
  std::string cycle;
  auto visit = [&](auto&& self, std::size_t i) -> bool {
    colour[i] = Grey;
    stack.push_back(i);
    for (const auto& d : services[i].depends_on) {
      std::size_t j = index[d];
      if (colour[j] == Grey) {
        std::string path;
        bool on = false;
        for (std::size_t k : stack) {
          if (k == j) on = true;
          if (on) path += services[k].name + " -> ";
        }
        cycle = path + services[j].name;
        return false;
      }
      if (colour[j] == White && !self(self, j)) return false;
    }
    stack.pop_back();
    colour[i] = Black;
    order.push_back(i);
    return true;
  };
  for (std::size_t i = 0; i < services.size(); ++i) {
    if (colour[i] == White && !visit(visit, i)) {
      return err("services: dependency cycle: " + cycle);
    }
  }
  std::vector<ServiceSpec> out;
  out.reserve(services.size());
  for (std::size_t i : order) out.push_back(std::move(services[i]));
  return out;
}

}  // namespace vessel
