#include "synth.h"

#include <array>
#include <string_view>

#include "degrade.h"
#include "fonts.h"
#include "layout.h"
#include "rng.h"

namespace synth {
namespace {

constexpr std::array<std::string_view, 5> kKindNames = {"page", "receipt", "screenshot", "line", "card"};

// Salts keep the layout stream independent of the degradation stream: the degraded sample shows
// the same content as the clean one for the same seed.
constexpr std::uint64_t kLayoutSalt = 0x51A7;
constexpr std::uint64_t kDegradeSalt = 0xDE64;

Layout layout(Kind kind, Rng& rng, FontSession& fonts) {
  switch (kind) {
    case Kind::Receipt: return layout_receipt(rng, fonts);
    case Kind::Screenshot: return layout_screenshot(rng, fonts);
    case Kind::Line: return layout_line(rng, fonts);
    case Kind::Card: return layout_card(rng, fonts);
    case Kind::Page: break;
  }
  return layout_page(rng, fonts);
}

}  // namespace

const char* kind_name(Kind k) { return kKindNames[static_cast<std::size_t>(k)].data(); }

bool parse_kind(const std::string& name, Kind& out) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i)
    if (name == kKindNames[i]) {
      out = static_cast<Kind>(i);
      return true;
    }
  return false;
}

Sample render(const RenderOptions& options) {
  const auto kind_id = static_cast<std::uint64_t>(options.kind);
  Rng layout_rng(mix_seed(options.seed, kLayoutSalt * 8 + kind_id));
  FontSession fonts;
  Layout drawn = layout(options.kind, layout_rng, fonts);

  Sample sample;
  sample.kind = options.kind;
  sample.degraded = options.degrade;
  sample.font = drawn.font;
  if (options.degrade) {
    Rng degrade_rng(mix_seed(options.seed, kDegradeSalt * 8 + kind_id));
    DegradeSettings settings;
    settings.table = drawn.table;
    settings.text_px = drawn.text_px;
    settings.gentle = drawn.gentle;
    sample.degradations = degrade(degrade_rng, drawn.image, drawn.lines, settings);
  }
  rotate_quadrants(drawn.image, drawn.lines, options.rotate_quadrants);
  sample.image = drawn.image;
  sample.lines = std::move(drawn.lines);
  return sample;
}

}  // namespace synth
