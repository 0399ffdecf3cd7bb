#include "engine/onnx_model.h"

#include <filesystem>
#include <numeric>

#include "ocrserve/error.h"

namespace ocrserve::engine {

Ort::Env& ort_env() {
  static Ort::Env env(ORT_LOGGING_LEVEL_ERROR, "ocrserve");
  return env;
}

namespace {
Ort::SessionOptions session_options(int threads, bool spin) {
  Ort::SessionOptions options;
  options.SetIntraOpNumThreads(threads);
  options.SetInterOpNumThreads(1);
  options.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
  // A pool thread that sleeps between operators is woken ~200 times per detection, each a futex
  // round trip (slow on a VM): spinning within a run made 2-thread requests ~8-11 ms faster at the
  // median (bench/latency.sh --against, permits and passports). Spinning past the end of a run stole
  // the core the recognizer's next batch needed (in-process p50 +10%): it stops when the run
  // returns. With threads == 1 there is no pool.
  options.AddConfigEntry("session.intra_op.allow_spinning", spin && threads > 1 ? "1" : "0");
  options.AddConfigEntry("session.force_spinning_stop", "1");
  options.AddConfigEntry("session.inter_op.allow_spinning", "0");
  options.DisableCpuMemArena();
  // The memory pattern stays on, though its one block per run (~50 MB for a card's detection, over
  // glibc's mmap ceiling) is mapped and faulted in afresh every time (12.6k page faults, ~37 ms of
  // system time per permit): with it off, the tensors live in the heap and its floor stepped up
  // under mixed load (60 s soak: +10% and +16% in two of six runs, against 0.0-0.7% with it on).
  return options;
}

Ort::Session open_session(const std::string& path, int threads, bool spin) {
  if (!std::filesystem::exists(path)) {
    throw std::runtime_error("model file not found: " + path + " (run scripts/setup)");
  }
  return Ort::Session(ort_env(), path.c_str(), session_options(threads, spin));
}
}  // namespace

OnnxModel::OnnxModel(const std::string& path, int intra_op_threads, bool spin)
    : session_(open_session(path, intra_op_threads, spin)) {
  Ort::AllocatorWithDefaultOptions allocator;
  input_name_ = session_.GetInputNameAllocated(0, allocator).get();
  output_name_ = session_.GetOutputNameAllocated(0, allocator).get();
}

Tensor OnnxModel::run(const float* input, const std::vector<int64_t>& shape) const {
  const size_t count = std::accumulate(shape.begin(), shape.end(), size_t{1}, std::multiplies<>());
  const auto memory = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  Ort::Value in = Ort::Value::CreateTensor<float>(memory, const_cast<float*>(input), count, shape.data(), shape.size());
  const char* in_names[] = {input_name_.c_str()};
  const char* out_names[] = {output_name_.c_str()};
  auto outputs = session_.Run(Ort::RunOptions{nullptr}, in_names, &in, 1, out_names, 1);
  auto info = outputs[0].GetTensorTypeAndShapeInfo();
  Tensor result;
  result.shape = info.GetShape();
  const float* data = outputs[0].GetTensorData<float>();
  result.data.assign(data, data + info.GetElementCount());
  return result;
}

}  // namespace ocrserve::engine
