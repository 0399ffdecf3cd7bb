#pragma once
// Reading fields off an upright card: labels found by their printed words, values taken from a
// region placed relative to the label (the template's offsets, moved to where the label really
// is), per-character so that lines the detector merged are split where the layout splits them.
// Shared by every card extractor; no HTTP, no schema.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include "ocrserve/card.h"
#include "ocrserve/engine.h"

namespace ocrserve::card_fields {

// --- text -----------------------------------------------------------------------------------------

std::u32string to_u32(std::string_view utf8);
std::string to_utf8(std::u32string_view text);
bool is_cjk(char32_t c);
// Full-width ASCII forms (digits, letters, brackets, punctuation) to their ASCII twins.
std::u32string fold_width(std::u32string_view text);
// Levenshtein distance in code points.
int edit_distance(std::u32string_view a, std::u32string_view b);
// The closest entry of `vocabulary` when at most `max_distance` edits away and strictly closer than
// any other; else nullopt.
std::optional<std::string> snap(std::string_view text, const std::vector<std::string_view>& vocabulary,
                                int max_distance);

// --- geometry -------------------------------------------------------------------------------------

struct Box {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  float cx() const { return (x0 + x1) / 2; }
  float cy() const { return (y0 + y1) / 2; }
  float height() const { return y1 - y0; }
  Box moved(cv::Point2f d) const { return {x0 + d.x, y0 + d.y, x1 + d.x, y1 + d.y}; }
  Box united(const Box& o) const {
    return {std::min(x0, o.x0), std::min(y0, o.y0), std::max(x1, o.x1), std::max(y1, o.y1)};
  }
  bool contains(cv::Point2f p) const { return p.x >= x0 && p.x < x1 && p.y >= y0 && p.y < y1; }
};
// Where the template lands on the card as read: an affine map fitted to the labels found (a
// similarity, or an offset, when too few were); identity when none were. Absorbs a loose outline (a
// card taken from its text or the whole frame, which misjudges scale and aspect) and the print
// offset.
struct Placement {
  cv::Matx23d m{1, 0, 0, 0, 1, 0};
  cv::Point2f map(cv::Point2f p) const;
  Box map(const Box& box) const;
  Placement moved(cv::Point2f d) const {
    Placement p = *this;
    p.m(0, 2) += d.x;
    p.m(1, 2) += d.y;
    return p;
  }
};

Box box_of(const Quad& q);
// The box as an upright quad: top-left, top-right, bottom-right, bottom-left.
Quad quad_of(const Box& b);

// Where a machine grid's cells stand (card x): column c spans [start + c * pitch, start + (c + 1) * pitch).
struct GridCells {
  float start = 0, pitch = 0;
  std::vector<std::pair<float, float>> rows;  // each row's y extent (its characters' height), top to bottom
  float centre(size_t column) const { return start + (static_cast<float>(column) + 0.5f) * pitch; }
};

// OCR-B's I, a lone stem with short serifs, is the letter the recognizer loses most in a machine
// line's names: dropped into the spacing around it (its cell reads '<'), read as H, or as a 1. Puts
// an I back in each such cell of `row` (row `r` of `cells`; a name row: no digit belongs there), up
// to the cell after the name's last letter, whose ink is one upright stem in the middle of the cell.
void restore_machine_i(std::string& row, size_t r, const cv::Mat& card_image, const GridCells& cells);

// --- labels and values ----------------------------------------------------------------------------

// A bilingual label such as "出生日期/Date of birth". Either word identifies it.
struct Label {
  std::string zh;  // the Chinese word, printed first
  std::string en;  // the English word after the slash; may be empty
  cv::Point2f at;  // left end, vertical centre of the Chinese word on the template card
};

// A value as read: the characters that fell in its region, their confidence, their extent.
struct Reading {
  std::string text;        // characters in reading order; a space where a gap is wider than a space
  float confidence = 0.f;  // mean of the characters
  int chars = 0;
  std::optional<Box> extent;
  std::vector<float> xs;  // centre x of each character of `text` that is not a space
  bool empty() const { return chars == 0; }
};

// A Latin reading with a space wherever the card image shows a word gap (a run of ink-free columns
// wider than about a third of the glyph height) between two characters: the recognizer often
// reads "MING ON" as "MINGON". A gap that would leave a word of one or two
// letters without a vowel ("C H ENG") stays closed.
std::string with_word_gaps(const cv::Mat& card_image, const Reading& reading);

// A Latin value read again, alone and wider: read in one batch with the card's other lines at the
// default squeeze, a letter can drop into the spacing ("BOKAI" read "BKAI"; bench_permits: one
// such name in each of two seeds of 104 fronts). The new reading replaces the first only when it
// holds the same letters in order plus one or two. One more recognition per front: +5 ms median
// through HTTP (bench/latency.sh, paired).
Reading reread_latin_alone(const Reading& reading, const cv::Mat& card_image, const OcrEngine& engine);

class CardText {
 public:
  // `label_words`: printed words that never belong to a value (read() leaves them out).
  explicit CardText(const PageText& text, const std::vector<std::string>& label_words = {});

  // Whether some line (whose centre lies `within`) carries `key`: case-insensitive, a key of 4+
  // characters may have one wrong.
  bool mentions(std::string_view key) const;
  bool mentions(std::string_view key, const Box& within) const;

  // Where the label stands (as Label::at), searched within `radius` of `label.at + shift`; nullopt
  // when no line carries one of its words there.
  std::optional<cv::Point2f> find(const Label& label, cv::Point2f shift = {0, 0}, float radius = 120) const;

  // Template -> card as printed, fitted to the labels that were found (see Placement).
  struct Placement placement(const std::vector<Label>& labels) const;

  // The plain least-squares affine template -> card from at least five labels that agree (mean
  // residual under 15 px) and spread over the card (250 px across, 150 down on the template),
  // however far it is from identity; nullopt otherwise. Tells where the
  // card really is when its outline was missed.
  std::optional<cv::Matx23d> label_affine(const std::vector<Label>& labels) const;

  // The characters whose centres lie in `region` (card pixels), label words left out, of the one
  // row nearest the region's middle; a space where the recognizer read one.
  Reading read(const Box& region) const;

  // A monospaced machine-readable zone put back on its grid: the characters read in `zone`, in
  // `rows` rows (the lowest ones) of `columns` cells at a pitch within [min_pitch, max_pitch] px,
  // the grid starting at the leftmost character. Cells where nothing was read hold `unread` ('<':
  // filler runs are what the detector drops most). Fewer rows when fewer were read.
  // With `card_image`, a K whose cell shows no stem is the filler it looks like. With `cells`, where
  // the grid was laid.
  std::vector<std::string> machine_grid(const Box& zone, int columns, int rows, float min_pitch, float max_pitch,
                                        const cv::Mat& card_image = cv::Mat(), char unread = '<',
                                        GridCells* cells = nullptr) const;

  // The machine-readable lines of `zone` as recognized (A-Z 0-9 <), one string per row, top to
  // bottom; pieces the detector split are joined left to right; rows shorter than `min_chars` left
  // out.
  std::vector<std::string> machine_rows(const Box& zone, size_t min_chars) const;

  // Lines whose centre lies in `region`, top to bottom.
  std::vector<const TextLine*> lines_in(const Box& region) const;

  const PageText& page() const { return page_; }

 private:
  const PageText& page_;
  std::vector<std::u32string> folded_;  // per line, width-folded, for label matching
  std::vector<std::u32string> label_words_;
};

// A value region relative to a label: the template's rectangle for the value, placed, then moved
// by how far the label itself stands from where the placement expects it.
Box value_region(const CardText& text, const Label& label, const Box& template_region, const Placement& place);

// --- normalizers ----------------------------------------------------------------------------------

// OCR look-alikes in places where only digits may stand.
char digit_for(char32_t c);
// 8 digits -> "YYYY.MM.DD" when a valid calendar date; else "".
std::string date_dotted(std::string_view digits8);
// All digit-like characters of `text`, look-alikes mapped.
std::string digits_of(std::string_view text);
// "YYYY.MM.DD" from a reading; "" when it does not hold a valid date.
std::string normalize_date(std::string_view text);
// "YYYY.MM.DD-YYYY.MM.DD" from a reading; "" unless both dates are valid.
std::string normalize_period(std::string_view text);
// "M" / "F" from 男/女/M/F; "".
std::string normalize_sex(std::string_view text);
// Chinese characters only (names, authorities, places, remarks keep their CJK and digits separately).
std::string cjk_only(std::string_view text);
// "SURNAME, GIVEN NAMES": capitals, one comma followed by a space, single spaces, hyphens kept.
std::string normalize_latin_name(std::string_view text);
// Characters of a machine-readable line: A-Z, 0-9, '<' (look-alikes folded), no spaces.
std::string machine_chars(std::string_view text);

// "YYYY.MM.DD" <-> std::chrono dates.
std::optional<std::chrono::year_month_day> parse_dotted(std::string_view dotted);
std::string dotted(std::chrono::year_month_day d);

// --- portrait -------------------------------------------------------------------------------------

// JPEG bytes of a region of the rectified card, resampled from the photo at its own resolution.
std::vector<std::uint8_t> portrait_jpeg(const cv::Mat& photo, const UprightCard& card, const Box& region);

}  // namespace ocrserve::card_fields
