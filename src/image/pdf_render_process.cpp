// PDF pages rendered in a child process (ImageIntake with a PdfRenderPolicy helper). One socket
// pair is the child's stdin and stdout (a socket, so that writing to a child that has died raises
// no SIGPIPE). The parent writes the document and reads either
//   'K' page_count width height (int32 each) and width*height*3 BGR bytes, or
//   'E' code '\n' message.
// The child runs under CPU and address-space limits and is killed at the policy's timeout; what
// it sends is checked against the limits as if it came from a client.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <new>

#include "image/intake_internal.h"

extern char** environ;

namespace ocrserve {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kOk = 'K';
constexpr char kError = 'E';
constexpr std::size_t kHeaderBytes = 1 + 3 * sizeof(std::int32_t);

// Address space of the child: the libraries ocrserve loads (~250 MB), poppler's ARGB page and our
// BGR copy of the largest page allowed, and room for poppler's own work.
[[maybe_unused]] rlim_t child_address_space(const IntakeLimits& limits) {  // unused under ASan
  return static_cast<rlim_t>(1024LL * 1024 * 1024 + limits.max_pixels * 8);
}

[[noreturn]] void render_failed(const std::string& why) {
  throw Error(codes::kImageNotSupported, "The PDF document could not be read: " + why);
}

class Fd {
 public:
  Fd() = default;
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// A connected pair of stream sockets: one end for us, one for the child.
struct Channel {
  Fd ours, child;
  Channel() {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) throw std::runtime_error("socketpair failed");
    ours.reset(fds[0]);
    child.reset(fds[1]);
  }
};

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Spawns `policy.helper render-pdf-page ...` with stdin and stdout on `channel`, stderr
// discarded (poppler reports syntax errors there, with bits of the document), no other
// descriptor inherited and default signal handling.
pid_t spawn_helper(const PdfRenderPolicy& policy, const std::vector<std::string>& args, int channel) {
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_adddup2(&files, channel, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&files, channel, STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&files, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addclosefrom_np(&files, STDERR_FILENO + 1);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGTERM, SIGINT, SIGXCPU}) sigaddset(&defaults, s);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(policy.helper.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, policy.helper.c_str(), &files, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("cannot start the PDF renderer " + policy.helper + ": " + std::strerror(rc));
  return pid;
}

std::int32_t read_int32(const char* at) {
  std::int32_t v;
  std::memcpy(&v, at, sizeof v);
  return v;
}

// What the child sent, checked as untrusted.
struct ChildReader {
  const IntakeLimits& limits;
  std::string head;  // the header, or the whole error answer
  detail::RenderedPdf page;
  std::size_t pixel_bytes = 0, filled = 0;

  // Where the next pixel bytes go and how many are still wanted; nullptr until a whole 'K' header
  // is in (the header and an error answer are collected in `head`).
  std::pair<char*, std::size_t> next() {
    if (head.empty() || head[0] != kOk) return {nullptr, 0};
    if (head.size() < kHeaderBytes) return {nullptr, 0};
    if (page.bgr.empty()) start_pixels();
    return {reinterpret_cast<char*>(page.bgr.data) + filled, pixel_bytes - filled};
  }

  void start_pixels() {
    page.page_count = read_int32(head.data() + 1);
    const int width = read_int32(head.data() + 5), height = read_int32(head.data() + 9);
    if (page.page_count < 1 || width < 1 || height < 1 || width > limits.max_side || height > limits.max_side ||
        std::int64_t{width} * height > limits.max_pixels)
      render_failed("the renderer answered an impossible page size.");
    page.bgr.create(height, width, CV_8UC3);
    pixel_bytes = static_cast<std::size_t>(width) * height * 3;
  }
};

}  // namespace

namespace detail {

RenderedPdf render_pdf_page_in_child(ByteView pdf, std::optional<int> page_number, const IntakeLimits& limits,
                                     const PdfRenderPolicy& policy) {
  const auto deadline = Clock::now() + policy.timeout;
  const long cpu_seconds = std::max<long>(1, std::chrono::ceil<std::chrono::seconds>(policy.timeout).count());
  const std::vector<std::string> args = {"render-pdf-page",
                                         std::to_string(page_number.value_or(0)),
                                         std::to_string(limits.pdf_render_dpi),
                                         std::to_string(limits.min_side),
                                         std::to_string(limits.max_side),
                                         std::to_string(limits.max_pixels),
                                         std::to_string(pdf.size()),
                                         std::to_string(cpu_seconds)};
  Channel channel;
  const pid_t pid = spawn_helper(policy, args, channel.child.get());
  channel.child.reset();
  const int fd = channel.ours.get();
  fcntl(fd, F_SETFL, O_NONBLOCK);

  ChildReader reader{limits, {}, {}};
  std::size_t sent = 0;
  bool timed_out = false, complete = false;
  try {
    while (!complete) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        timed_out = true;
        break;
      }
      pollfd p{fd, static_cast<short>(POLLIN | (sent < pdf.size() ? POLLOUT : 0)), 0};
      if (poll(&p, 1, static_cast<int>(std::min<long>(left, 1000))) < 0 && errno != EINTR) break;
      if ((p.revents & POLLOUT) && sent < pdf.size()) {
        const ssize_t n = send(fd, pdf.data() + sent, pdf.size() - sent, MSG_NOSIGNAL);
        if (n > 0) sent += static_cast<std::size_t>(n);
        if (n < 0 && errno != EAGAIN && errno != EINTR) sent = pdf.size();  // the child has gone: read why
      }
      if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
        auto [into, want] = reader.next();
        char small[4096];
        if (!into) {
          into = small;
          want = sizeof small;
        }
        const ssize_t n = recv(fd, into, want, 0);
        if (n == 0) break;  // the child has finished (or died)
        if (n < 0) {
          if (errno == EAGAIN || errno == EINTR) continue;
          break;
        }
        if (into == small) {
          reader.head.append(small, static_cast<std::size_t>(n));
          if (reader.head.size() > 64 * 1024) render_failed("the renderer's answer is malformed.");
        } else {
          reader.filled += static_cast<std::size_t>(n);
        }
        // The header may arrive with pixels behind it: move those where they belong.
        if (reader.head.size() > kHeaderBytes && reader.head[0] == kOk) {
          const std::string extra = reader.head.substr(kHeaderBytes);
          reader.head.resize(kHeaderBytes);
          auto [to, room] = reader.next();
          if (extra.size() > room) render_failed("the renderer's answer is malformed.");
          std::memcpy(to, extra.data(), extra.size());
          reader.filled += extra.size();
        }
        complete = reader.pixel_bytes > 0 && reader.filled == reader.pixel_bytes;
      }
    }
  } catch (...) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    throw;
  }
  // Whatever it was doing: the answer is in, or it will never come. Waiting for a child that has
  // answered to exit on its own would leave our caller at the mercy of its teardown.
  kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (complete) return std::move(reader.page);
  if (timed_out) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.3g", std::chrono::duration<double>(policy.timeout).count());
    throw Error(codes::kImageNotSupported, "The PDF page took longer than " + std::string(seconds) +
                                               " s to render: send the page as an image (JPEG or PNG) instead.");
  }
  if (!reader.head.empty() && reader.head[0] == kError) {
    const std::size_t newline = reader.head.find('\n');
    if (newline != std::string::npos) throw Error(reader.head.substr(1, newline - 1), reader.head.substr(newline + 1));
  }
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU)
    render_failed("the page takes too long to render. Send the page as an image (JPEG or PNG) instead.");
  render_failed("the renderer stopped on this document (it may be corrupt or too complex).");
}

}  // namespace detail

int pdf_render_helper_main(const std::vector<std::string>& args) {
  if (args.size() != 7) {
    std::cerr
        << "render-pdf-page PAGE DPI MIN_SIDE MAX_SIDE MAX_PIXELS BYTES CPU_SECONDS (internal: run by ocrserve)\n";
    return 2;
  }
  IntakeLimits limits;
  std::optional<int> page;
  std::size_t bytes = 0;
  rlim_t cpu = 0;
  try {
    if (const int p = std::stoi(args[0]); p > 0) page = p;
    limits.pdf_render_dpi = std::stoi(args[1]);
    limits.min_side = std::stoi(args[2]);
    limits.max_side = std::stoi(args[3]);
    limits.max_pixels = std::stoll(args[4]);
    bytes = std::stoull(args[5]);
    cpu = std::stoul(args[6]);
  } catch (const std::exception&) {
    std::cerr << "render-pdf-page: bad arguments\n";
    return 2;
  }
  const rlimit cpu_limit{cpu, cpu + 1};
  setrlimit(RLIMIT_CPU, &cpu_limit);
#if !defined(__SANITIZE_ADDRESS__)
  // (AddressSanitizer reserves terabytes of shadow address space: no cap in sanitizer builds.)
  const rlimit memory{child_address_space(limits), child_address_space(limits)};
  setrlimit(RLIMIT_AS, &memory);
#endif
  std::string pdf(bytes, '\0');
  std::size_t got = 0;
  while (got < bytes) {
    const ssize_t n = ::read(STDIN_FILENO, pdf.data() + got, bytes - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 3;
    got += static_cast<std::size_t>(n);
  }
  std::string answer;
  try {
    const detail::RenderedPdf r = detail::render_pdf_page(
        detail::ByteView(reinterpret_cast<const std::uint8_t*>(pdf.data()), pdf.size()), page, limits);
    const cv::Mat bgr = r.bgr.isContinuous() ? r.bgr : r.bgr.clone();
    answer.push_back(kOk);
    for (const std::int32_t v : {r.page_count, bgr.cols, bgr.rows}) answer.append(reinterpret_cast<const char*>(&v), 4);
    return write_all(STDOUT_FILENO, answer.data(), answer.size()) &&
                   write_all(STDOUT_FILENO, reinterpret_cast<const char*>(bgr.data), bgr.total() * 3)
               ? 0
               : 3;
  } catch (const Error& e) {
    answer = std::string(1, kError) + e.code() + "\n" + e.what();
  } catch (const std::bad_alloc&) {
    answer = std::string(1, kError) + codes::kImageNotSupported +
             "\nThe PDF document could not be read: rendering the page needs more memory than allowed.";
  } catch (const std::exception&) {
    answer = std::string(1, kError) + codes::kImageNotSupported +
             "\nThe PDF document could not be read: the page could not be rendered.";
  }
  return write_all(STDOUT_FILENO, answer.data(), answer.size()) ? 0 : 3;
}

}  // namespace ocrserve
