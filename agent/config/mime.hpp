#pragma once
// A small, strict MIME multipart reader for cloud-init user_data (what Heat
// builds with Python's email.mime for HEAT_CFNTOOLS / SOFTWARE_CONFIG). No
// Debian MIME library is on our dependency list. It understands just what
// user_data needs: header folding, Content-Type parameters (quoted or not),
// Content-Disposition filename, nested multipart, and the 7bit/8bit/binary/
// base64 transfer encodings. quoted-printable is refused with an error.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace vessel::config {

struct MimePart {
  std::string content_type;  // lowercased type/subtype, default text/plain
  std::string filename;      // Content-Disposition filename, may be empty
  std::string body;          // after Content-Transfer-Encoding decoding
};

// True when the text starts with a MIME header (Content-Type or
// MIME-Version), i.e. it should go through parse_multipart.
bool looks_like_mime(std::string_view text);

// Parses a whole message (headers + body) and returns its leaf parts in
// order, nested multiparts flattened. A non-multipart message yields one part.
Result<std::vector<MimePart>> parse_mime(std::string_view message);

}  // namespace vessel::config
