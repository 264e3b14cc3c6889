#include "supervise/users.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <vector>

namespace vessel {

Result<Identity> resolve_identity(const std::string& user, const std::string& group) {
  Identity id;
  if (user.empty() && group.empty()) {
    if (const passwd* pw = getpwuid(getuid())) {
      id.name = pw->pw_name;
      id.home = pw->pw_dir;
    }
    return id;
  }
  std::vector<char> buf(16384);
  if (!user.empty()) {
    passwd pw{}, *res = nullptr;
    getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &res);
    if (!res) return err("user '" + user + "' does not exist");
    id.uid = pw.pw_uid;
    id.gid = pw.pw_gid;
    id.name = pw.pw_name;
    id.home = pw.pw_dir;
    int n = 64;
    std::vector<gid_t> groups(static_cast<std::size_t>(n));
    if (getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &n) < 0) {
      groups.resize(static_cast<std::size_t>(n));
      getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &n);
    }
    groups.resize(static_cast<std::size_t>(n));
    id.groups = groups;
  }
  if (!group.empty()) {
    struct group gr {}, *res = nullptr;
    getgrnam_r(group.c_str(), &gr, buf.data(), buf.size(), &res);
    if (!res) return err("group '" + group + "' does not exist");
    id.gid = gr.gr_gid;
    if (id.groups.empty()) id.groups.push_back(gr.gr_gid);
  }
  return id;
}

std::vector<std::string> service_environment(const Identity& id, const std::map<std::string, std::string>& env) {
  std::map<std::string, std::string> all{
      {"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
      {"HOME", id.home},
  };
  if (!id.name.empty()) {
    all["USER"] = id.name;
    all["LOGNAME"] = id.name;
  }
  for (const auto& [k, v] : env) all[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : all) out.push_back(k + "=" + v);
  return out;
}

}  // namespace vessel
