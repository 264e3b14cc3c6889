#include "config/gzip.hpp"

#include <zlib.h>

#include <array>

namespace vessel::config {

bool is_gzip(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

Result<std::string> gunzip(std::string_view data, std::size_t max_out) {
  z_stream zs{};
  // 16 + MAX_WBITS: accept only the gzip wrapper.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return err("gzip: cannot initialise zlib");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  std::array<char, 64 * 1024> buf;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return err("gzip: corrupt or truncated data");
    }
    std::size_t got = buf.size() - zs.avail_out;
    if (out.size() + got > max_out) {
      inflateEnd(&zs);
      return err("gzip: decompressed data exceeds " + std::to_string(max_out) + " bytes");
    }
    out.append(buf.data(), got);
    if (rc == Z_OK && got == 0 && zs.avail_in == 0) {
      inflateEnd(&zs);
      return err("gzip: corrupt or truncated data");
    }
  }
  inflateEnd(&zs);
  return out;
}

}  // namespace vessel::config
