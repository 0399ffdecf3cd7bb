#pragma once
// One immutable ONNX Runtime session per model, shared by every caller (Run is re-entrant).
#include <string>
#include <vector>

#include <onnxruntime_cxx_api.h>

namespace ocrserve::engine {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

class OnnxModel {
 public:
  // `spin`: intra-op pool threads wait for the next operator spinning rather than asleep.
  OnnxModel(const std::string& path, int intra_op_threads, bool spin = false);
  // Single float input -> first output.
  Tensor run(const float* input, const std::vector<int64_t>& shape) const;

 private:
  mutable Ort::Session session_;  // Run() is re-entrant; the C++ wrapper just is not const
  std::string input_name_;
  std::string output_name_;
};

// The process's one Ort::Env (created on first use, never mutated after).
Ort::Env& ort_env();

}  // namespace ocrserve::engine
