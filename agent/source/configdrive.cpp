#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "config/meta_data.hpp"
#include "config/user_data.hpp"
#include "source/read_file.hpp"
#include "source/sources.hpp"

namespace vessel::source {
namespace fs = std::filesystem;

const std::vector<std::string>& known_openstack_versions() {
  static const std::vector<std::string> v = {"2018-08-27", "2017-02-22", "2016-10-06", "2016-09-26",
                                             "2016-06-30", "2015-10-15", "2013-10-17", "2013-04-04",
                                             "2012-08-10"};
  return v;
}

std::string pick_configdrive_version(const std::string& openstack_dir) {
  std::error_code ec;
  for (const auto& v : known_openstack_versions())
    if (fs::is_regular_file(openstack_dir + "/" + v + "/meta_data.json", ec)) return v;
  return "latest";
}

namespace {

// A config drive device mounted read-only for the duration of one read.
class Mount {
 public:
  ~Mount() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    if (!dir_.empty()) ::rmdir(dir_.c_str());
  }
  Status mount(const std::string& device) {
    char tmpl[] = "/tmp/vessel-configdrive.XXXXXX";
    if (!::mkdtemp(tmpl)) return err(std::string("configdrive: mkdtemp: ") + std::strerror(errno));
    dir_ = tmpl;
    const unsigned long flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
    // Nova writes iso9660 by default, vfat when config_drive_format=vfat.
    for (const char* type : {"iso9660", "vfat"}) {
      if (::mount(device.c_str(), dir_.c_str(), type, flags, nullptr) == 0) {
        mounted_ = true;
        return ok();
      }
    }
    return err("configdrive: mount " + device + " read-only: " + std::strerror(errno));
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  bool mounted_ = false;
};

SourceResult read_dir(const std::string& dir) {
  const std::string os = dir + "/openstack";
  const std::string v = pick_configdrive_version(os);
  const std::string rel = "openstack/" + v;
  RawSourceData d;
  d.source = "configdrive";
  auto md = read_file_capped(os + "/" + v + "/meta_data.json", config::kMaxMetaDataBytes);
  if (!md) return err("configdrive: " + md.error());
  if (!*md) return err("configdrive: " + rel + "/meta_data.json: missing");
  d.meta_data = std::move(**md);
  d.meta_format = MetaFormat::openstack_json;
  auto ud = read_file_capped(os + "/" + v + "/user_data", config::kMaxUserDataBytes);
  if (!ud) return err("configdrive: " + ud.error());
  d.user_data = std::move(*ud);  // absent file: no user data
  return std::optional<RawSourceData>(std::move(d));
}

}  // namespace

SourceResult read_configdrive_source(const SourceOptions& o) {
  std::error_code ec;
  if (!o.configdrive_dir.empty()) {
    if (!fs::is_directory(o.configdrive_dir + "/openstack", ec)) return std::optional<RawSourceData>{};
    return read_dir(o.configdrive_dir);
  }
  for (const char* dir : {"/mnt/config", "/config-2"})
    if (fs::is_directory(std::string(dir) + "/openstack", ec)) return read_dir(dir);
  for (const char* dev : {"/dev/disk/by-label/config-2", "/dev/disk/by-label/CONFIG-2"}) {
    if (!fs::exists(dev, ec)) continue;
    Mount m;
    if (auto st = m.mount(dev); !st) return err(st.error());
    return read_dir(m.dir());
  }
  return std::optional<RawSourceData>{};
}

}  // namespace vessel::source
