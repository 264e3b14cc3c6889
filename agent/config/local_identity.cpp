#include "config/local_identity.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>

namespace vessel::config {

LocalIdentity local_addresses() {
  LocalIdentity id;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) id.hostname = host;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return id;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr) continue;
    char buf[INET6_ADDRSTRLEN] = {};
    const void* src = nullptr;
    if (i->ifa_addr->sa_family == AF_INET)
      src = &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr;
    else if (i->ifa_addr->sa_family == AF_INET6)
      src = &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr;
    if (!src || !inet_ntop(i->ifa_addr->sa_family, src, buf, sizeof buf)) continue;
    std::string a(buf);
    if (std::find(id.addresses.begin(), id.addresses.end(), a) == id.addresses.end()) id.addresses.push_back(a);
  }
  freeifaddrs(list);
  return id;
}

}  // namespace vessel::config
