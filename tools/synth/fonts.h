#pragma once
// Font discovery (known system paths) and a per-render FreeType session with a glyph cache.
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <opencv2/core.hpp>

namespace synth {

struct FontInfo {
  std::string path;
  long face_index = 0;  // face inside a .ttc collection
  std::string family;   // FreeType family_name, e.g. "Noto Sans CJK SC"
  bool cjk = false;     // covers the CJK characters of the corpus
  bool bold = false;
  bool serif = false;
  bool mono = false;
};

// Fonts found on this machine, resolved once and immutable afterwards. Throws std::runtime_error
// naming the Debian package when no Simplified-Chinese CJK font is installed.
const std::vector<FontInfo>& font_catalog();

// Finds a catalogued font; nullptr when absent.
const FontInfo* find_font(const std::string& family, bool bold);

struct Glyph {
  cv::Mat alpha;       // CV_8UC1 coverage, may be empty (space)
  int left = 0;        // bitmap offset from the pen position
  int top = 0;         // bitmap top above the baseline
  long advance = 0;    // 26.6 fixed point
  unsigned index = 0;  // glyph index inside its face (for kerning)
};

// One FreeType library plus the faces opened so far. Not thread-safe: one per render call.
class FontSession {
 public:
  FontSession();
  ~FontSession();
  FontSession(const FontSession&) = delete;
  FontSession& operator=(const FontSession&) = delete;

  bool has_glyph(const FontInfo& font, char32_t codepoint);
  // Rendered glyph at a pixel size; nullptr when the font lacks the character.
  const Glyph* glyph(const FontInfo& font, int pixel_size, char32_t codepoint);
  // Kerning between two glyph indices of the same font, 26.6 fixed point.
  long kerning(const FontInfo& font, int pixel_size, unsigned left, unsigned right);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace synth
