#pragma once
// cpp-httplib's Server with its connection loop replaced. Debian's cpp-httplib (0.11) reads each
// request of a keep-alive connection through a fresh buffered stream, so bytes of a next request
// that arrived with the previous one (HTTP pipelining) are thrown away with that stream. Here one
// ConnectionStream lives as long as the connection and keeps what it read ahead: pipelined
// requests are answered in order. The server also knows its live connections, which handlers need
// twice: to end a connection after an answer (a request refused mid-body: the rest of its body
// must not be parsed as further requests) and to skip queued work whose client has gone.
#include <sys/types.h>

#include <array>
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include <httplib.h>

namespace ocrserve::server {

// One connection's socket, read through a buffer that outlives each request.
class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(int fd, std::chrono::milliseconds read_timeout, std::chrono::milliseconds write_timeout);

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  int socket() const override { return fd_; }

  // Bytes of a request already read from the socket (a pipelined request waiting its turn).
  bool has_buffered() const { return begin_ < end_; }

 private:
  const int fd_;
  const std::chrono::milliseconds read_timeout_, write_timeout_;
  std::array<char, 16 * 1024> buffer_{};
  size_t begin_ = 0, end_ = 0;
};

class KeepAliveServer : public httplib::Server {
 public:
  // Names the connection `req` arrived on, for client_gone (a value: it may be asked after the
  // request is gone).
  static std::string connection_of(const httplib::Request& req);
  // The client on `connection` has closed or reset it (checked without waiting); false once the
  // connection has ended.
  bool client_gone(const std::string& connection) const;
  // The answer to `req` is its connection's last: it is written with "Connection: close" and
  // nothing after it is read.
  void end_after_answer(const httplib::Request& req, httplib::Response& res);

 private:
  bool process_and_close_socket(socket_t sock) override;
  // Waits up to the keep-alive timeout for the next request; false when it does not come or the
  // server is stopping.
  bool await_next_request(int fd) const;

  struct Connection {
    int fd = -1;
    bool ending = false;
  };
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Connection> connections_;  // by connection_key
};

}  // namespace ocrserve::server
