#pragma once
// HDFS format guard: decides whether `hdfs namenode -format` may run. The
// rule is "format only what was never formatted": formatting an existing
// name directory destroys the namespace, so anything unexpected refuses.
// The argv of the format step lives in the role YAML; this only decides.
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace vessel {

struct FormatDecision {
  enum class Kind { Format, Skip, Refuse };
  Kind kind = Kind::Refuse;
  std::string message;  // why (always set; for Refuse it is the error)
};

// version_file_contents: the text of <name.dir>/current/VERSION, or nullopt
// when that file does not exist.
//   missing                      -> Format
//   clusterID == cluster_id      -> Skip (already ours)
//   another clusterID            -> Refuse, naming both IDs (never wipe)
//   no/empty clusterID, garbage  -> Refuse (never format over something)
FormatDecision decide_format(const std::optional<std::string>& version_file_contents,
                             std::string_view cluster_id);

// The clusterID value from a VERSION file (Java properties: "clusterID=..."),
// or nullopt when absent/empty.
std::optional<std::string> version_cluster_id(std::string_view version_file_contents);

// Edge: reads <name_dir>/current/VERSION. nullopt = the file does not exist
// (ENOENT). Any other failure (permissions, I/O, a directory in its place,
// oversized) is an error, which the caller must treat as Refuse.
Result<std::optional<std::string>> read_version_file(const std::string& name_dir);

}  // namespace vessel
