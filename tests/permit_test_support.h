#pragma once
// Shared by the permit extractor tests: a synthetic permit and the fields a result got wrong.
#include <string>

#include <gtest/gtest.h>

#include "ocrserve/permit.h"
#include "permit.h"

namespace ocrserve::test {

inline synth::PermitSample permit_sample(synth::PermitType type, synth::Side side, std::uint64_t seed, bool photo) {
  synth::PermitOptions o;
  o.type = type;
  o.side = side;
  o.seed = seed;
  o.photographed = photo;
  return synth::render_permit(o);
}

// Each wrong or missing field is reported as a test failure; returns how many there were.
inline int wrong_fields(const PermitResult& r, const synth::PermitSample& s) {
  int wrong = 0;
  for (const auto& [name, want] : s.truth.fields) {
    const FieldValue* got = r.field(name);
    if (!got || got->value != want) {
      ++wrong;
      ADD_FAILURE() << name << ": want '" << want << "' got '" << (got ? got->value : "<none>") << "' (" << s.difficulty
                    << ")";
    }
  }
  return wrong;
}

}  // namespace ocrserve::test
