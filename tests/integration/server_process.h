#pragma once
// Starts the real ocrserve binary on a free loopback port and stops it, for black-box tests.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

namespace ocrserve::test {

class ServerProcess {
 public:
  // `args` after "serve"; the port is chosen by the server (--port 0) and read from its stdout.
  explicit ServerProcess(std::vector<std::string> args, bool wait_ready = true) {
    static int counter = 0;
    log_path_ = "/tmp/ocrserve_it_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + ".log";
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      const int err = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(err, STDERR_FILENO);
      close(out[0]);
      std::vector<std::string> full = {OCRSERVE_BINARY, "serve", "--port", "0"};
      full.insert(full.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : full) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    stdout_ = fdopen(out[0], "r");
    char line[256];
    if (stdout_ && fgets(line, sizeof line, stdout_)) {
      const std::string s(line);
      const size_t colon = s.rfind(':');
      if (colon != std::string::npos) port_ = std::atoi(s.c_str() + colon + 1);
    }
    if (wait_ready && port_ > 0) {
      httplib::Client c("127.0.0.1", port_);
      for (int i = 0; i < 600; ++i) {
        if (auto r = c.Get("/readyz"); r && r->status == 200) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }
  ~ServerProcess() {
    stop(SIGKILL);
    if (stdout_) fclose(stdout_);
    std::remove(log_path_.c_str());
  }

  int port() const { return port_; }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(std::chrono::seconds(60));
    return c;
  }
  // Sends a signal and waits; returns the exit status (or -1).
  int stop(int sig = SIGTERM) {
    if (pid_ <= 0) return exit_status_;
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_status_;
  }
  // Sends a signal and returns at once.
  void signal(int sig) const {
    if (pid_ > 0) kill(pid_, sig);
  }
  // Waits for the process to exit by itself (start-up refusals).
  int wait_exit() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  // -1 while the process runs; its exit status (or 128 + signal) once it has ended by itself.
  int exit_status_if_exited() {
    if (pid_ <= 0) return exit_status_;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) != pid_) return -1;
    pid_ = -1;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_status_;
  }
  std::string log() const {
    std::ifstream in(log_path_);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

 private:
  pid_t pid_ = -1;
  int port_ = -1;
  int exit_status_ = -1;
  FILE* stdout_ = nullptr;
  std::string log_path_;
};

}  // namespace ocrserve::test
