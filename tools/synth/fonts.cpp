#include "fonts.h"

#include <array>
#include <filesystem>
#include <stdexcept>
#include <string_view>

#include <ft2build.h>
#include FT_FREETYPE_H

namespace synth {
namespace {

// Known install locations (Debian first, then Fedora/Arch layouts).
constexpr std::array<std::string_view, 20> kFontPaths = {
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
};

// CJK collections hold JP/KR/SC/TC/HK variants; only Simplified Chinese glyph shapes match the
// recogniser's training data.
bool is_cjk_collection_family(std::string_view family) { return family.find("CJK") != std::string_view::npos; }
bool is_simplified_chinese(std::string_view family) { return family.ends_with(" SC"); }

struct Library {
  FT_Library lib = nullptr;
  Library() {
    if (FT_Init_FreeType(&lib) != 0) throw std::runtime_error("synth: FreeType initialisation failed");
  }
  ~Library() { FT_Done_FreeType(lib); }
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
};

bool already_listed(const std::vector<FontInfo>& fonts, const FontInfo& f) {
  for (const auto& g : fonts)
    if (g.family == f.family && g.bold == f.bold) return true;
  return false;
}

void add_faces(FT_Library lib, const std::string& path, std::vector<FontInfo>& out) {
  FT_Face probe = nullptr;
  if (FT_New_Face(lib, path.c_str(), -1, &probe) != 0) return;
  const long faces = probe->num_faces;
  FT_Done_Face(probe);
  for (long i = 0; i < faces; ++i) {
    FT_Face face = nullptr;
    if (FT_New_Face(lib, path.c_str(), i, &face) != 0) continue;
    FontInfo f;
    f.path = path;
    f.face_index = i;
    f.family = face->family_name ? face->family_name : "";
    f.bold = (face->style_flags & FT_STYLE_FLAG_BOLD) != 0;
    FT_Done_Face(face);
    const bool cjk = is_cjk_collection_family(f.family);
    if (cjk && !is_simplified_chinese(f.family)) continue;
    f.cjk = cjk;
    f.serif = f.family.find("Serif") != std::string::npos;
    f.mono = f.family.find("Mono") != std::string::npos;
    if (!f.family.empty() && !already_listed(out, f)) out.push_back(f);
  }
}

std::vector<FontInfo> discover_fonts() {
  Library library;
  std::vector<FontInfo> fonts;
  for (std::string_view p : kFontPaths) {
    const std::string path(p);
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) add_faces(library.lib, path, fonts);
  }
  bool have_cjk = false;
  for (const auto& f : fonts) have_cjk = have_cjk || f.cjk;
  if (!have_cjk)
    throw std::runtime_error(
        "synth: no Simplified Chinese font found (expected Noto Sans CJK SC in "
        "/usr/share/fonts/opentype/noto/); install the Debian package fonts-noto-cjk");
  return fonts;
}

}  // namespace

const std::vector<FontInfo>& font_catalog() {
  static const std::vector<FontInfo> catalog = discover_fonts();
  return catalog;
}

const FontInfo* find_font(const std::string& family, bool bold) {
  for (const auto& f : font_catalog())
    if (f.family == family && f.bold == bold) return &f;
  return nullptr;
}

struct FontSession::Impl {
  Library library;
  struct OpenFace {
    FT_Face face = nullptr;
    int pixel_size = 0;
  };
  std::map<const FontInfo*, OpenFace> faces;
  std::map<std::tuple<const FontInfo*, int, char32_t>, Glyph> glyphs;

  ~Impl() {
    for (auto& [font, open] : faces) FT_Done_Face(open.face);
  }

  FT_Face face(const FontInfo& font, int pixel_size) {
    auto it = faces.find(&font);
    if (it == faces.end()) {
      OpenFace open;
      if (FT_New_Face(library.lib, font.path.c_str(), font.face_index, &open.face) != 0)
        throw std::runtime_error("synth: cannot open font " + font.path);
      it = faces.emplace(&font, open).first;
    }
    if (pixel_size > 0 && it->second.pixel_size != pixel_size) {
      if (FT_Set_Pixel_Sizes(it->second.face, 0, static_cast<FT_UInt>(pixel_size)) != 0)
        throw std::runtime_error("synth: cannot set pixel size on " + font.family);
      it->second.pixel_size = pixel_size;
    }
    return it->second.face;
  }
};

namespace {

cv::Mat copy_bitmap(const FT_Bitmap& bm) {
  cv::Mat out(static_cast<int>(bm.rows), static_cast<int>(bm.width), CV_8UC1, cv::Scalar(0));
  for (int y = 0; y < out.rows; ++y) {
    const unsigned char* row = bm.buffer + static_cast<std::ptrdiff_t>(y) * bm.pitch;
    auto* dst = out.ptr<unsigned char>(y);
    for (int x = 0; x < out.cols; ++x) {
      if (bm.pixel_mode == FT_PIXEL_MODE_MONO)
        dst[x] = (row[x / 8] & (0x80 >> (x % 8))) ? 255 : 0;
      else
        dst[x] = row[x];
    }
  }
  return out;
}

}  // namespace

FontSession::FontSession() : impl_(std::make_unique<Impl>()) {}
FontSession::~FontSession() = default;

bool FontSession::has_glyph(const FontInfo& font, char32_t codepoint) {
  return FT_Get_Char_Index(impl_->face(font, 0), codepoint) != 0;
}

const Glyph* FontSession::glyph(const FontInfo& font, int pixel_size, char32_t codepoint) {
  const auto key = std::make_tuple(&font, pixel_size, codepoint);
  if (auto it = impl_->glyphs.find(key); it != impl_->glyphs.end()) return &it->second;
  FT_Face face = impl_->face(font, pixel_size);
  const FT_UInt index = FT_Get_Char_Index(face, codepoint);
  if (index == 0) return nullptr;
  // Light hinting keeps shapes faithful (like most desktop renderers) while staying crisp.
  if (FT_Load_Glyph(face, index, FT_LOAD_RENDER | FT_LOAD_TARGET_LIGHT) != 0)
    throw std::runtime_error("synth: cannot render a glyph of " + font.family);
  Glyph g;
  g.alpha = copy_bitmap(face->glyph->bitmap);
  g.left = face->glyph->bitmap_left;
  g.top = face->glyph->bitmap_top;
  g.advance = face->glyph->advance.x;
  g.index = index;
  return &impl_->glyphs.emplace(key, std::move(g)).first->second;
}

long FontSession::kerning(const FontInfo& font, int pixel_size, unsigned left, unsigned right) {
  FT_Face face = impl_->face(font, pixel_size);
  if (!FT_HAS_KERNING(face) || left == 0 || right == 0) return 0;
  FT_Vector delta{};
  if (FT_Get_Kerning(face, left, right, FT_KERNING_DEFAULT, &delta) != 0) return 0;
  return delta.x;
}

}  // namespace synth
