#pragma once
// The socket a request arrived on. Debian's cpp-httplib (0.11) does not hand it to handlers, and
// the server needs it twice: to stop reading a connection whose request was refused mid-body (else
// the rest of the body would be parsed as further requests), and to skip queued work whose client
// has gone. It is found by the connection's addresses, which are unique among live TCP sockets, and
// is valid while the handler that asked runs (httplib closes it only after the handler returns).
#include <optional>
#include <string>

namespace ocrserve::server {

struct ConnectionAddress {
  std::string local_addr;
  int local_port = -1;
  std::string remote_addr;
  int remote_port = -1;
};

// Scans this process's descriptors (only on the rare paths above).
std::optional<int> find_peer_socket(const ConnectionAddress& address);

// The peer closed or reset the connection (no wait).
bool peer_gone(int fd);

// No more requests are read from the connection: the answer is still written, then it closes.
void stop_reading(int fd);

}  // namespace ocrserve::server
