// Travel permit cards (ID-1, 1000x630): tinted guilloche background, bilingual labels, a red
// number, a grey portrait silhouette with a ghost image, and OCR-B machine-readable lines.
// Structure after the public descriptions of the cards; every identity is invented.
//
//   exit-entry front: title, photo left, name / name_en / birth + sex / validity / authority + place,
//                     red number top right, one 30-character machine line at the bottom
//   exit-entry back:  endorsement blocks (HK + Macao, or Taiwan), QR-like code top right
//   mainland front:   title, photo left, the same fields plus number + issue count (no machine line)
//   mainland back:    ID card number and name (HK/Macao), notices, three 30-character lines
#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <string_view>

#include <opencv2/imgproc.hpp>

#include "layout.h"
#include "permit_draw.h"
#include "text.h"

namespace synth {
namespace {

using ident::Identity;

constexpr double kTwoPi = 6.28318530717958647692;
constexpr int kW = kPermitWidth;
constexpr int kH = kPermitHeight;

cv::Scalar rgb(int r, int g, int b) {
  return {static_cast<double>(b), static_cast<double>(g), static_cast<double>(r)};
}

struct Palette {
  cv::Scalar bg_left, bg_right, ink, accent, title, label, value, red;
};

// Exit-entry HK/Macao cards are greenish blue, Taiwan ones purple; the residents' permits blue and green.
Palette palette(PermitType type, Rng& rng) {
  Palette p;
  switch (type) {
    case PermitType::ExitEntryHkMo:
      p = {rgb(214, 236, 232), rgb(204, 226, 242), rgb(110, 175, 188), rgb(160, 205, 200),
           rgb(18, 78, 100),   rgb(48, 82, 96),    rgb(22, 24, 30),    rgb(206, 32, 36)};
      break;
    case PermitType::ExitEntryTw:
      p = {rgb(236, 222, 244), rgb(244, 230, 238), rgb(172, 136, 200), rgb(214, 188, 226),
           rgb(92, 40, 112),   rgb(86, 60, 102),   rgb(24, 20, 30),    rgb(204, 30, 40)};
      break;
    case PermitType::MainlandHkMo:
      p = {rgb(212, 227, 247), rgb(226, 238, 247), rgb(120, 160, 215), rgb(182, 204, 236),
           rgb(24, 58, 132),   rgb(44, 64, 112),   rgb(20, 22, 32),    rgb(204, 28, 34)};
      break;
    case PermitType::MainlandTw:
      p = {rgb(220, 238, 212), rgb(238, 242, 220), rgb(130, 186, 132), rgb(192, 224, 186),
           rgb(28, 96, 52),    rgb(48, 86, 60),    rgb(20, 26, 22),    rgb(200, 30, 34)};
      break;
  }
  const double j = rng.uniform(-7, 5);
  p.bg_left += cv::Scalar::all(j);
  p.bg_right += cv::Scalar::all(j);
  return p;
}

// --- background --------------------------------------------------------------------------------

void fill_gradient(cv::Mat& image, cv::Scalar a, cv::Scalar b) {
  for (int y = 0; y < image.rows; ++y) {
    auto* row = image.ptr<cv::Vec3b>(y);
    for (int x = 0; x < image.cols; ++x) {
      const double t = 0.8 * x / image.cols + 0.2 * y / image.rows;
      for (int c = 0; c < 3; ++c) row[x][c] = cv::saturate_cast<uchar>(a[c] * (1 - t) + b[c] * t);
    }
  }
}

// Interfering sine waves plus hypotrochoid rosettes, blended faintly: the look of security printing.
void draw_guilloche(Rng& rng, cv::Mat& image, cv::Scalar ink) {
  cv::Mat overlay = image.clone();
  const double l1 = rng.uniform(150, 260), l2 = rng.uniform(55, 110);
  const double a1 = rng.uniform(12, 26), a2 = rng.uniform(3, 8);
  const int spacing = rng.range(9, 13);
  for (int k = -4; k * spacing < kH + 60; ++k) {
    std::vector<cv::Point> pts;
    const double phase = k * 0.23;
    for (int x = 0; x <= kW; x += 3)
      pts.emplace_back(x, cvRound(k * spacing + a1 * std::sin(kTwoPi * x / l1 + phase) +
                                  a2 * std::sin(kTwoPi * x / l2 - 2 * phase)));
    cv::polylines(overlay, pts, false, ink, 1, cv::LINE_AA);
  }
  // Rosettes: one closed hypotrochoid (integer radius ratio) repeated at small phase steps.
  for (int r = 0; r < 2; ++r) {
    const cv::Point2d centre(rng.uniform(150, 850), rng.uniform(150, 480));
    const int lobes = rng.range(6, 11);
    const double big = rng.uniform(80, 150), small = big / lobes, d = small * rng.uniform(1.2, 2.2);
    const int copies = rng.range(6, 12);
    for (int k = 0; k < copies; ++k) {
      const double turn = kTwoPi * k / (copies * lobes);
      std::vector<cv::Point> pts;
      for (double t = 0; t < kTwoPi + 0.01; t += 0.004) {
        const double x = (big - small) * std::cos(t) + d * std::cos((big - small) / small * t);
        const double y = (big - small) * std::sin(t) - d * std::sin((big - small) / small * t);
        pts.emplace_back(cvRound(centre.x + x * std::cos(turn) - y * std::sin(turn)),
                         cvRound(centre.y + x * std::sin(turn) + y * std::cos(turn)));
      }
      cv::polylines(overlay, pts, true, ink, 1, cv::LINE_AA);
    }
  }
  const double alpha = rng.uniform(0.35, 0.5);
  cv::addWeighted(overlay, alpha, image, 1.0 - alpha, 0, image);
}

// A faint crenellated ridge (the Great Wall motif of the exit-entry cards) in the lower part.
void draw_wall(Rng& rng, cv::Mat& image, cv::Scalar accent) {
  cv::Mat overlay = image.clone();
  std::vector<cv::Point> ridge;
  const double base = rng.uniform(470, 520), phase = rng.uniform(0, kTwoPi);
  for (int x = 0; x <= kW; x += 4) {
    double y = base - 45 * std::sin(kTwoPi * x / 520 + phase) - 18 * std::sin(kTwoPi * x / 190 + 2 * phase);
    if ((x / 16) % 2 == 0) y -= 8;  // merlons
    ridge.emplace_back(x, cvRound(y));
  }
  ridge.emplace_back(kW, kH);
  ridge.emplace_back(0, kH);
  cv::fillPoly(overlay, std::vector<std::vector<cv::Point>>{ridge}, accent, cv::LINE_AA);
  cv::addWeighted(overlay, 0.3, image, 0.7, 0, image);
}

// A faint emblem-like ring of circles and rays (the residents' permits).
void draw_emblem(Rng& rng, cv::Mat& image, cv::Scalar accent, cv::Point centre) {
  cv::Mat overlay = image.clone();
  const int r = rng.range(110, 150);
  for (int k = 0; k < 4; ++k) cv::circle(overlay, centre, r - k * 9, accent, 2, cv::LINE_AA);
  for (int k = 0; k < 36; ++k) {
    const double a = kTwoPi * k / 36;
    cv::line(overlay, centre + cv::Point(cvRound(0.3 * r * std::cos(a)), cvRound(0.3 * r * std::sin(a))),
             centre + cv::Point(cvRound(0.62 * r * std::cos(a)), cvRound(0.62 * r * std::sin(a))), accent, 2,
             cv::LINE_AA);
  }
  cv::addWeighted(overlay, 0.4, image, 0.6, 0, image);
}

// --- pictures ----------------------------------------------------------------------------------

// Head-and-shoulders silhouette on a pale photo background, blended with `opacity`.
void draw_portrait(Rng& rng, cv::Mat& image, cv::Rect box, double opacity) {
  const int w = box.width, h = box.height;
  cv::Mat patch(h, w, CV_8UC3, grey(rng.range(236, 250)));
  const int skin = rng.range(150, 178), hair = rng.range(40, 80), cloth = rng.range(60, 110);
  // Back to front: hair (its lower part reads as hair behind the neck), neck, shoulders, face.
  const int hair_len = rng.range(27, 40);
  cv::ellipse(patch, cv::Point(w / 2, h * 38 / 100), cv::Size(w * 26 / 100, h * hair_len / 100), 0, 0, 360, grey(hair),
              cv::FILLED, cv::LINE_AA);
  cv::rectangle(patch, cv::Rect(w * 42 / 100, h * 55 / 100, w * 16 / 100, h * 22 / 100), grey(skin - 12), cv::FILLED);
  cv::ellipse(patch, cv::Point(w / 2, h + h / 20), cv::Size(w * 47 / 100, h * 34 / 100), 0, 180, 360, grey(cloth),
              cv::FILLED, cv::LINE_AA);
  cv::ellipse(patch, cv::Point(w / 2, h * 44 / 100), cv::Size(w * 20 / 100, h * 26 / 100), 0, 0, 360, grey(skin),
              cv::FILLED, cv::LINE_AA);
  // Features (no random draws, so the rest of the card is unchanged): brows, eyes, nose shade, mouth.
  const cv::Scalar dark = grey(std::max(20, hair - 15)), shade = grey(skin - 28);
  for (int side : {-1, 1}) {
    const cv::Point eye(w / 2 + side * w * 8 / 100, h * 40 / 100);
    cv::ellipse(patch, eye - cv::Point(0, h * 4 / 100), cv::Size(w * 5 / 100, h * 1 / 100), 0, 180, 360, dark,
                std::max(2, h / 90), cv::LINE_AA);
    cv::ellipse(patch, eye, cv::Size(w * 4 / 100, h * 15 / 1000), 0, 0, 360, dark, cv::FILLED, cv::LINE_AA);
  }
  cv::line(patch, cv::Point(w / 2, h * 42 / 100), cv::Point(w / 2 + w / 60, h * 50 / 100), shade, std::max(2, w / 80),
           cv::LINE_AA);
  cv::ellipse(patch, cv::Point(w / 2, h * 56 / 100), cv::Size(w * 6 / 100, h * 12 / 1000), 0, 0, 360, grey(skin - 60),
              cv::FILLED, cv::LINE_AA);
  cv::GaussianBlur(patch, patch, cv::Size(0, 0), 1.0);
  cv::Mat roi = image(box);
  cv::addWeighted(patch, opacity, roi, 1.0 - opacity, 0, roi);
}

// A QR-like square of random modules with three finder patterns (the e-permit backs carry one).
void draw_code_square(Rng& rng, cv::Mat& image, cv::Point origin, int module) {
  constexpr int kModules = 25;
  const cv::Scalar dark = grey(rng.range(20, 45));
  cv::rectangle(image, cv::Rect(origin.x - module, origin.y - module, (kModules + 2) * module, (kModules + 2) * module),
                grey(250), cv::FILLED);
  auto cell = [&](int cx, int cy) {
    cv::rectangle(image, cv::Rect(origin.x + cx * module, origin.y + cy * module, module, module), dark, cv::FILLED);
  };
  auto finder = [](int cx, int cy, int fx, int fy) {
    const int dx = cx - fx, dy = cy - fy;
    if (dx < -1 || dy < -1 || dx > 7 || dy > 7) return -1;  // outside the finder and its margin
    if (dx == -1 || dy == -1 || dx == 7 || dy == 7) return 0;
    const bool ring = dx == 0 || dy == 0 || dx == 6 || dy == 6;
    const bool core = dx >= 2 && dx <= 4 && dy >= 2 && dy <= 4;
    return ring || core ? 1 : 0;
  };
  for (int y = 0; y < kModules; ++y)
    for (int x = 0; x < kModules; ++x) {
      int f = -1;
      for (const auto& [fx, fy] : {std::pair{0, 0}, std::pair{kModules - 7, 0}, std::pair{0, kModules - 7}})
        f = std::max(f, finder(x, y, fx, fy));
      if (f == 1 || (f == -1 && rng.chance(0.5))) cell(x, y);
    }
}

// --- fonts -------------------------------------------------------------------------------------

// OCR-B is not in the font catalogue (it would change the Latin picks of the other kinds).
const FontInfo* ocr_b_font() {
  static const FontInfo* font = []() -> const FontInfo* {
    static FontInfo info;
    for (const char* path : {"/usr/share/fonts/opentype/ocr-b/OCRB.otf", "/usr/share/fonts/truetype/ocr-b/OCRB.ttf",
                             "/usr/share/fonts/OTF/OCRB.otf", "/usr/share/fonts/ocr-b/OCRB.otf"}) {
      std::error_code ec;
      if (std::filesystem::is_regular_file(path, ec)) {
        info.path = path;
        info.family = "OCR B";
        info.mono = true;
        return &info;
      }
    }
    std::cerr << "synth: OCR-B not found (Debian package fonts-ocr-b); machine codes use DejaVu Sans Mono\n";
    return find_font("DejaVu Sans Mono", false);
  }();
  return font;
}

struct Styles {
  TextStyle title, subtitle, header, label, value, name, latin_name, red, mrz, note;
};

Styles make_styles(Rng& rng, const Palette& p) {
  const FontPlan plan = choose_fonts(rng, {.serif = 0.25, .mono = 0.0, .latin = 0.5});
  Styles s;
  s.title = plan.style(rng.range(38, 42), p.title, true);
  s.subtitle = plan.style(rng.range(15, 17), p.title);
  s.header = plan.style(rng.range(23, 25), p.title, true);
  s.label = plan.style(rng.range(16, 18), p.label);
  s.value = plan.style(rng.range(25, 28), p.value);
  s.name = plan.style(rng.range(34, 38), p.value, true);
  s.latin_name = plan.style(rng.range(23, 26), p.value);
  s.note = plan.style(rng.range(17, 19), p.label);
  s.red = plan.style(rng.range(32, 36), p.red, true);
  if (const FontInfo* bold = find_font("DejaVu Sans", true); bold != nullptr && rng.chance(0.6)) s.red.font = bold;
  s.mrz = plan.style(40, grey(rng.range(15, 35)));
  if (const FontInfo* ocrb = ocr_b_font(); ocrb != nullptr) s.mrz.font = ocrb;
  return s;
}

// Machine lines span ~88% of the card width (ICAO pitch 2.54 mm for 30 characters).
void fit_mrz(Writer& w, TextStyle& mrz) {
  const int target = 880;
  const int measured = w.width(mrz, std::string(30, '<'));
  mrz.px = std::max(20, static_cast<int>(std::lround(mrz.px * static_cast<double>(target) / std::max(1, measured))));
}

// Lightens a band so the machine lines sit on a calm (clear-zone) background.
void clear_band(cv::Mat& image, cv::Rect band) {
  const cv::Rect r = band & cv::Rect(0, 0, image.cols, image.rows);
  constexpr int kFeather = 24;  // soft top edge
  for (int y = r.y; y < r.y + r.height; ++y) {
    const double k = 0.5 * std::min(1.0, (y - r.y + 1.0) / kFeather);
    auto* px = image.ptr<cv::Vec3b>(y);
    for (int x = r.x; x < r.x + r.width; ++x)
      for (int c = 0; c < 3; ++c) px[x][c] = cv::saturate_cast<uchar>(px[x][c] * (1 - k) + 246 * k);
  }
}

std::string sex_text(char sex) {
  return sex == 'M' ? "男/M" : "女/F";
}

// --- sides -------------------------------------------------------------------------------------

struct Ctx {
  Writer& w;
  Styles& s;
  cv::Mat& image;
  Rng& rng;
  int ox = 0, oy = 0;  // print offset of this card
  void at(const TextStyle& style, const std::string& text, int x, int y) { w.draw(style, text, x + ox, y + oy); }
};

void exit_entry_front(const Identity& id, Ctx& c, const Palette& p, cv::Rect& portrait) {
  const bool tw = id.type == PermitType::ExitEntryTw;
  draw_wall(c.rng, c.image, p.accent);
  c.w.draw_centered(c.s.title, tw ? "中华人民共和国往来台湾通行证" : "中华人民共和国往来港澳通行证", kW / 2 + c.ox,
                    62 + c.oy);
  c.w.draw_centered(c.s.subtitle,
                    tw ? "EXIT-ENTRY PERMIT FOR TRAVELLING TO AND FROM TAIWAN"
                       : "EXIT-ENTRY PERMIT FOR TRAVELLING TO AND FROM HONG KONG AND MACAO",
                    kW / 2 + c.ox, 92 + c.oy);
  portrait = cv::Rect(50 + c.ox, 130 + c.oy, 200, 262);
  draw_portrait(c.rng, c.image, portrait, 1.0);
  draw_portrait(c.rng, c.image, cv::Rect(822 + c.ox, 250 + c.oy, 92, 120), 0.22);  // ghost image
  c.w.draw_right(c.s.red, id.number, 955 + c.ox, 152 + c.oy);

  const int x0 = 285, x1 = x0 + 310, x2 = x0 + 340;
  c.at(c.s.label, "姓名/Name", x0, 152);
  c.at(c.s.name, id.name, x0, 196);
  c.at(c.s.latin_name, id.name_en, x0, 234);
  c.at(c.s.label, "出生日期/Date of birth", x0, 272);
  c.at(c.s.label, "性别/Sex", x1, 272);
  c.at(c.s.value, ident::dotted(id.birth), x0, 306);
  c.at(c.s.value, sex_text(id.sex), x1, 306);
  c.at(c.s.label, "有效期限/Period of validity", x0, 342);
  c.at(c.s.value, id.valid_period(), x0, 376);
  c.at(c.s.label, "签发机关/Issuing authority", x0, 412);
  c.at(c.s.label, "签发地点/Place of issue", x2, 412);
  c.at(c.s.value, id.authority, x0, 446);
  c.at(c.s.value, id.issue_place, x2, 446);

  clear_band(c.image, cv::Rect(0, 530 + c.oy, kW, 85));
  fit_mrz(c.w, c.s.mrz);
  c.w.draw_centered(c.s.mrz, id.machine_code, kW / 2 + c.ox, 592 + c.oy);
}

void mainland_front(const Identity& id, Ctx& c, const Palette& p, cv::Rect& portrait) {
  const bool tw = id.type == PermitType::MainlandTw;
  draw_emblem(c.rng, c.image, p.accent, cv::Point(780, 330));
  c.w.draw_centered(c.s.title, tw ? "台湾居民来往大陆通行证" : "港澳居民来往内地通行证", kW / 2 + c.ox, 66 + c.oy);
  c.w.draw_centered(
      c.s.subtitle,
      tw ? "MAINLAND TRAVEL PERMIT FOR TAIWAN RESIDENTS" : "MAINLAND TRAVEL PERMIT FOR HONG KONG AND MACAO RESIDENTS",
      kW / 2 + c.ox, 96 + c.oy);
  portrait = cv::Rect(62 + c.ox, 148 + c.oy, 205, 285);
  draw_portrait(c.rng, c.image, portrait, 1.0);
  draw_portrait(c.rng, c.image, cv::Rect(840 + c.ox, 400 + c.oy, 88, 116), 0.22);

  const int x0 = 300, x1 = x0 + 300, x2 = x0 + 330;
  c.at(c.s.label, "姓名/Name", x0, 148);
  c.at(c.s.name, id.name, x0, 190);
  c.at(c.s.latin_name, id.name_en, x0, 226);
  c.at(c.s.label, "出生日期/Date of birth", x0, 264);
  c.at(c.s.label, "性别/Sex", x1, 264);
  c.at(c.s.value, ident::dotted(id.birth), x0, 298);
  c.at(c.s.value, sex_text(id.sex), x1, 298);
  c.at(c.s.label, "有效期限/Period of validity", x0, 336);
  c.at(c.s.value, id.valid_period(), x0, 370);
  c.at(c.s.label, "签发机关/Issuing authority", x0, 408);
  if (tw) c.at(c.s.label, "签发地点/Place of issue", x2, 408);
  c.at(c.s.value, id.authority, x0, 442);
  if (tw) c.at(c.s.value, id.issue_place, x2, 442);
  c.at(c.s.label, "证件号码/Permit No.", x0, 480);
  c.at(c.s.label, tw ? "签发次数/No. of issues" : "换证次数/No. of issues", x1, 480);
  c.at(c.s.red, id.number, x0, 522);
  c.at(c.s.value, id.issue_times, x1, 520);
}

// One endorsement block: region header, then type + entries, validity, remarks, issue info.
void endorsement_block(Ctx& c, const Palette& p, int top, std::string_view header,
                       const std::optional<ident::Endorsement>& e) {
  c.at(c.s.header, std::string(header), 55, top + 32);
  cv::line(c.image, cv::Point(55 + c.ox, top + 46 + c.oy), cv::Point(800 + c.ox, top + 46 + c.oy), p.ink, 1,
           cv::LINE_AA);
  if (!e) return;  // no endorsement for this region: the block stays blank
  const int x_value = 240;
  c.at(c.s.label, "签注种类/Type", 55, top + 84);
  c.at(c.s.value, e->type, x_value, top + 84);
  c.at(c.s.label, "有效次数/Entries", 530, top + 84);
  c.at(c.s.value, e->trips, 690, top + 84);
  c.at(c.s.label, "有效期限/Validity", 55, top + 126);
  c.at(c.s.value, e->period, x_value, top + 126);
  c.at(c.s.label, "备注/Remarks", 55, top + 168);
  c.at(c.s.value, e->remark, x_value, top + 168);
  c.at(c.s.label, "签发/Issued by", 55, top + 210);
  c.at(c.s.value, e->issue_info, x_value, top + 210);
}

void exit_entry_back(const Identity& id, Ctx& c, const Palette& p) {
  draw_code_square(c.rng, c.image, cv::Point(832 + c.ox, 32 + c.oy), 5);
  if (id.type == PermitType::ExitEntryTw) {
    endorsement_block(c, p, 60, "台湾 TAIWAN", id.tw);
    c.at(c.s.note, "本证件背面签注信息可由签发机关重复擦写。", 55, 400);
    c.at(c.s.note, "持证人前往台湾须同时持有有效的入台证件。", 55, 436);
    return;
  }
  endorsement_block(c, p, 40, "香港 HONG KONG", id.hk);
  cv::line(c.image, cv::Point(30 + c.ox, 300 + c.oy), cv::Point(kW - 30 + c.ox, 300 + c.oy), p.label, 1, cv::LINE_AA);
  endorsement_block(c, p, 330, "澳门 MACAO", id.mo);
}

void mainland_back(const Identity& id, Ctx& c, const Palette& p) {
  draw_emblem(c.rng, c.image, p.accent, cv::Point(500, 260));
  int y = 80;
  if (id.type == PermitType::MainlandHkMo) {
    c.at(c.s.label, "身份证件号码/ID card No.", 60, 70);
    c.at(c.s.value, id.id_number, 60, 112);
    c.at(c.s.label, "身份证件姓名/Name on ID card", 520, 70);
    c.at(c.s.value, id.id_name, 520, 112);
    y = 178;
  }
  c.at(c.s.note,
       id.type == PermitType::MainlandTw ? "本证件是持证人来往大陆的旅行证件，请妥善保管。"
                                         : "本证件是持证人来往内地的旅行证件，请妥善保管。",
       60, y);
  c.at(c.s.note, "不得涂改、转借；证件遗失或损毁应及时申请补发。", 60, y + 36);
  c.at(c.s.note,
       id.type == PermitType::MainlandTw ? "持证人在大陆期间应遵守当地法律。" : "持证人在内地期间应遵守当地法律。", 60,
       y + 72);

  clear_band(c.image, cv::Rect(0, 425 + c.oy, kW, 195));
  fit_mrz(c.w, c.s.mrz);
  for (int i = 0; i < 3; ++i)
    c.w.draw_centered(c.s.mrz, id.machine_lines[static_cast<std::size_t>(i)], kW / 2 + c.ox, 482 + 54 * i + c.oy);
}

}  // namespace

void paint_security_background(Rng& rng, cv::Mat& image, cv::Scalar left, cv::Scalar right, cv::Scalar ink) {
  fill_gradient(image, left, right);
  draw_guilloche(rng, image, ink);
}

void paint_portrait(Rng& rng, cv::Mat& image, cv::Rect box) {
  draw_portrait(rng, image, box, 1.0);
}

const FontInfo* machine_zone_font() {
  return ocr_b_font();
}

void calm_band(cv::Mat& image, cv::Rect band) {
  clear_band(image, band);
}

cv::Mat permit_card_mask() {
  cv::Mat mask(kH, kW, CV_8UC1, cv::Scalar(0));
  fill_rounded_rect(mask, cv::Rect(0, 0, kW, kH), kPermitCornerRadius, cv::Scalar(255));
  return mask;
}

PermitCard draw_permit_card(const Identity& id, Side side, Rng& rng, FontSession& fonts) {
  PermitCard card;
  const Palette p = palette(id.type, rng);
  card.image = cv::Mat(kH, kW, CV_8UC3);
  fill_gradient(card.image, p.bg_left, p.bg_right);
  draw_guilloche(rng, card.image, p.ink);
  Styles styles = make_styles(rng, p);
  Writer w(fonts, card.image, card.lines);
  Ctx c{w, styles, card.image, rng, rng.range(-5, 5), rng.range(-4, 4)};
  const bool exit_entry = id.type == PermitType::ExitEntryHkMo || id.type == PermitType::ExitEntryTw;
  if (side == Side::Front) {
    if (exit_entry)
      exit_entry_front(id, c, p, card.portrait);
    else
      mainland_front(id, c, p, card.portrait);
  } else {
    if (exit_entry)
      exit_entry_back(id, c, p);
    else
      mainland_back(id, c, p);
  }
  // Outside the rounded corners: white, as a flatbed scan of the card shows it.
  const cv::Mat mask = permit_card_mask();
  for (int y = 0; y < kH; ++y) {
    const auto* m = mask.ptr<uchar>(y);
    auto* px = card.image.ptr<cv::Vec3b>(y);
    for (int x = 0; x < kW; ++x)
      if (m[x] < 255)
        for (int ch = 0; ch < 3; ++ch)
          px[x][ch] = static_cast<uchar>((px[x][ch] * m[x] + 255 * (255 - m[x]) + 127) / 255);
  }
  card.text_px = w.typical_px();
  return card;
}

}  // namespace synth
