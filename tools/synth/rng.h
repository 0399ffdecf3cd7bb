#pragma once
// Deterministic random helpers. The std:: distributions are implementation-defined (libstdc++ and
// libc++ give different numbers for the same engine state), so we derive everything ourselves from
// the raw mt19937_64 output: the same seed gives the same samples with any standard library.
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>

namespace synth {

// splitmix64 finaliser: turns (seed, salt) into a well-mixed engine seed.
inline std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t salt) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (salt + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t next() { return engine_(); }

  // Uniform integer in [lo, hi] (the modulo bias is ~2^-40 for our ranges, irrelevant here).
  int range(int lo, int hi) {
    if (hi <= lo) return lo;
    const auto span = static_cast<std::uint64_t>(static_cast<std::int64_t>(hi) - lo + 1);
    return static_cast<int>(lo + static_cast<std::int64_t>(next() % span));
  }

  // Uniform real in [lo, hi).
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * static_cast<double>(next() >> 11) * 0x1.0p-53;
  }

  bool chance(double p) { return uniform(0.0, 1.0) < p; }

  template <class T>
  const T& pick(std::span<const T> items) {
    return items[static_cast<std::size_t>(range(0, static_cast<int>(items.size()) - 1))];
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace synth
