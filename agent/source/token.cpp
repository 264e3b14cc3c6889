#include "source/token.hpp"

#include <sys/stat.h>

#include "config/validate.hpp"
#include "source/read_file.hpp"

namespace vessel::source {
namespace {

const std::string* get(const std::map<std::string, std::string>& env, const char* name) {
  auto it = env.find(name);
  return it == env.end() ? nullptr : &it->second;
}

Status check_path(const std::string& field, const std::string& path) {
  if (path.empty() || path[0] != '/' || !config::valid_value(path))
    return err(field + ": expected an absolute path, got " + config::quote_for_error(path));
  return ok();
}

Status check_token(const std::string& field, const std::string& t) {
  if (t.empty()) return err(field + ": the token is empty");
  if (!config::valid_value(t)) return err(field + ": the token must be at most 4096 bytes without control characters");
  return ok();
}

}  // namespace

Result<Secret> read_token_file(const std::string& field, const std::string& path,
                               std::vector<std::string>& warnings) {
  if (auto st = check_path(field, path); !st) return err(st.error());
  auto body = read_file_capped(path, kMaxTokenFileBytes);
  if (!body) return err(field + ": " + body.error());
  if (!*body) return err(field + ": " + path + ": no such file");
  std::string t = std::move(**body);
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
  if (auto st = check_token(field + " " + path, t); !st) return err(st.error());
  struct stat sb{};
  if (::stat(path.c_str(), &sb) == 0 && (sb.st_mode & S_IROTH))
    warnings.push_back(field + ": " + path + " is world-readable; restrict it to mode 0600 or 0400");
  return Secret(std::move(t));
}

Status resolve_token(NodeConfig& cfg, const std::map<std::string, std::string>& env) {
  const std::string* file = get(env, "VESSEL_TOKEN_FILE");
  const std::string* value = get(env, "VESSEL_TOKEN");
  if (file && value) return err("VESSEL_TOKEN and VESSEL_TOKEN_FILE: set only one");
  if (!cfg.token.empty() && !cfg.token_file.empty())
    return err("user_data: vessel.token and vessel.token_file: set only one");
  if (file) {
    auto t = read_token_file("VESSEL_TOKEN_FILE", *file, cfg.warnings);
    if (!t) return err(t.error());
    cfg.token = std::move(*t);
    cfg.token_from = "VESSEL_TOKEN_FILE";
  } else if (value) {
    if (auto st = check_token("VESSEL_TOKEN", *value); !st) return st;
    cfg.token = Secret(*value);
    cfg.token_from = "VESSEL_TOKEN";
  } else if (!cfg.token_file.empty()) {
    auto t = read_token_file("vessel.token_file", cfg.token_file, cfg.warnings);
    if (!t) return err(t.error());
    cfg.token = std::move(*t);
    cfg.token_from = "vessel.token_file";
  } else if (!cfg.token.empty()) {
    cfg.token_from = "vessel.token";
  }
  return ok();
}

}  // namespace vessel::source
