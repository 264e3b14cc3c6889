#pragma once
// The repo's roles/*.yaml as tests see them: role files for PlanFacts and
// each role's declared capabilities for render tests, so tests read the
// same data the image ships (no role semantics duplicated in tests).
#include <stdexcept>
#include <string>

#include "app/plan.hpp"

namespace vessel::test {

inline const std::map<std::string, std::string>& repo_role_files() {
  static const auto files = [] {
    auto f = read_role_files(VESSEL_SOURCE_DIR "/roles");
    if (!f) throw std::runtime_error(f.error());
    return *f;
  }();
  return files;
}

inline RoleCaps caps_of(const std::string& role) {
  auto cat = catalog_of(repo_role_files());
  if (!cat) throw std::runtime_error(cat.error());
  auto it = cat->find(role);
  return it == cat->end() ? RoleCaps{} : it->second;
}

// PlanFacts pointing at the repo's roles.
inline PlanFacts repo_facts() {
  PlanFacts f;
  f.roles_dir = VESSEL_SOURCE_DIR "/roles";
  f.role_files = repo_role_files();
  return f;
}

}  // namespace vessel::test
