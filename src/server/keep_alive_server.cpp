#include "server/keep_alive_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ocrserve::server {

namespace {

// Waits for `events` on `fd` for at most `timeout`, retrying when a signal interrupts.
bool wait_for(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd p{fd, events, 0};
  for (;;) {
    const int n = poll(&p, 1, static_cast<int>(timeout.count()));
    if (n >= 0 || errno != EINTR) return n > 0;
  }
}

void endpoint(const sockaddr_storage& address, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    port = ntohs(in->sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto* in = reinterpret_cast<const sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &in->sin6_addr, text, sizeof text);
    port = ntohs(in->sin6_port);
  }
  ip = text;
}

// Requests carry their connection's addresses; a live TCP connection is the only one with them.
std::string connection_key(const std::string& remote_ip, int remote_port, const std::string& local_ip, int local_port) {
  return remote_ip + " " + std::to_string(remote_port) + " " + local_ip + " " + std::to_string(local_port);
}

}  // namespace

ConnectionStream::ConnectionStream(int fd, std::chrono::milliseconds read_timeout,
                                   std::chrono::milliseconds write_timeout)
    : fd_(fd), read_timeout_(read_timeout), write_timeout_(write_timeout) {}

bool ConnectionStream::is_readable() const {
  return has_buffered() || wait_for(fd_, POLLIN, read_timeout_);
}

bool ConnectionStream::is_writable() const {
  return wait_for(fd_, POLLOUT, write_timeout_);
}

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  if (!has_buffered()) {
    if (!wait_for(fd_, POLLIN, read_timeout_)) return -1;
    // A large read (a body) goes straight to the caller; small ones (httplib reads the request line
    // and headers a byte at a time) are served from the buffer.
    char* into = size >= buffer_.size() ? ptr : buffer_.data();
    const size_t room = size >= buffer_.size() ? size : buffer_.size();
    ssize_t n;
    do {
      n = recv(fd_, into, room, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0 || into == ptr) return n;
    begin_ = 0;
    end_ = static_cast<size_t>(n);
  }
  const size_t n = std::min(size, end_ - begin_);
  std::memcpy(ptr, buffer_.data() + begin_, n);
  begin_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  if (!is_writable()) return -1;
  ssize_t n;
  do {
    n = send(fd_, ptr, size, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n;
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  if (getpeername(fd_, reinterpret_cast<sockaddr*>(&address), &size) == 0) endpoint(address, ip, port);
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) == 0) endpoint(address, ip, port);
}

std::string KeepAliveServer::connection_of(const httplib::Request& req) {
  return connection_key(req.remote_addr, req.remote_port, req.local_addr, req.local_port);
}

bool KeepAliveServer::client_gone(const std::string& connection) const {
  // Polled under the lock: the connection's thread closes the socket only after taking it out.
  std::lock_guard lock(mutex_);
  const auto it = connections_.find(connection);
  if (it == connections_.end()) return false;
  pollfd p{it->second.fd, POLLRDHUP, 0};
  return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

void KeepAliveServer::end_after_answer(const httplib::Request& req, httplib::Response& res) {
  res.set_header("Connection", "close");
  std::lock_guard lock(mutex_);
  if (const auto it = connections_.find(connection_of(req)); it != connections_.end()) it->second.ending = true;
}

bool KeepAliveServer::await_next_request(int fd) const {
  // In slices, so that a stopping server does not wait out every idle connection's timeout.
  constexpr std::chrono::milliseconds kSlice{100};
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(keep_alive_timeout_sec_);
  while (svr_sock_ != INVALID_SOCKET) {
    if (wait_for(fd, POLLIN, kSlice)) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
  }
  return false;
}

bool KeepAliveServer::process_and_close_socket(socket_t sock) {
  using std::chrono::microseconds;
  using std::chrono::seconds;
  const auto timeout = [](time_t s, time_t us) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(seconds(s) + microseconds(us));
  };
  ConnectionStream stream(sock, timeout(read_timeout_sec_, read_timeout_usec_),
                          timeout(write_timeout_sec_, write_timeout_usec_));
  std::string remote_ip, local_ip;
  int remote_port = -1, local_port = -1;
  stream.get_remote_ip_and_port(remote_ip, remote_port);
  stream.get_local_ip_and_port(local_ip, local_port);
  const std::string key = connection_key(remote_ip, remote_port, local_ip, local_port);
  {
    std::lock_guard lock(mutex_);
    connections_[key] = Connection{sock, false};
  }
  bool ok = false;
  for (size_t left = std::max<size_t>(1, keep_alive_max_count_); left > 0; --left) {
    if (!stream.has_buffered() && !await_next_request(sock)) break;
    bool closed = false;
    ok = process_request(stream, left == 1, closed, nullptr);
    bool ending = false;
    {
      std::lock_guard lock(mutex_);
      ending = connections_[key].ending;
    }
    if (!ok || closed || ending) break;
  }
  {
    std::lock_guard lock(mutex_);
    connections_.erase(key);
  }
  shutdown(sock, SHUT_RDWR);
  close(sock);
  return ok;
}

}  // namespace ocrserve::server
