// threads_fit_cores: whether the server's workers (or the CLI's batch callers) may let ONNX
// Runtime's pool threads spin.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "ocrserve/engine.h"

namespace ocrserve {
namespace {

TEST(ThreadsFitCores, CountsEveryCallersThreadsAgainstTheCores) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_TRUE(threads_fit_cores(1, 1));
  EXPECT_TRUE(threads_fit_cores(1, cores));
  EXPECT_TRUE(threads_fit_cores(cores, 1));
  EXPECT_FALSE(threads_fit_cores(1, cores + 1));
  EXPECT_FALSE(threads_fit_cores(cores + 1, 1));
  EXPECT_FALSE(threads_fit_cores(2, cores));
  EXPECT_FALSE(threads_fit_cores(256, 64));  // the options' largest values, without overflow
}

}  // namespace
}  // namespace ocrserve
