#pragma once
// Finding an ID-1 card (85.6 x 54 mm: permits, ID cards) in a photo and turning it into an upright,
// rectified image; shared by every card API.
#include <functional>
#include <optional>

#include <opencv2/core.hpp>

#include "ocrserve/engine.h"

namespace ocrserve {

struct CardLocation {
  Quad quad{};           // corners in the photo: top-left, top-right, bottom-right, bottom-left of the card as printed
  float confidence = 0;  // how card-like the outline was (0..1); 0 when the whole frame was taken
  bool from_edges = false;  // outline found from edges (else from the text's extent or the full frame)
};

struct UprightCard {
  cv::Mat image;  // rectified, upright, kCardWidth x kCardHeight
  CardLocation location;
  cv::Matx33d to_photo;  // upright card pixel -> photo pixel
  PageText text;         // the card read once while orienting it, in upright-card pixels
};

inline constexpr int kCardWidth = 1000;
inline constexpr int kCardHeight = 631;  // ID-1 aspect 85.6 : 54
// Detector input for the rectified card: its smallest print (labels, ~17 px) stays above 12 px
// (640 px cost 2-4 points of field accuracy in bench/permits).
inline constexpr int kCardDetectSide = 768;

// The card's outline: the largest convex, card-shaped quadrilateral of the photo's edges (card at
// 25-100% of the frame); nullopt when nothing card-like stands out.
std::optional<CardLocation> find_card_outline(const cv::Mat& bgr);

// How a card is read while it is turned upright; each part optional.
struct CardReading {
  // The detected lines worth recognizing, as RecognizeOptions::read_line.
  std::function<bool(const Quad&)> read_line;
  // The part of each line to read, as RecognizeOptions::read_part.
  std::function<Quad(const Quad&)> read_part;
  // As RecognizeOptions::straighten_above. A card placed by its text's extent leans a degree or
  // two; straightening it detects it twice over (~60 ms). A passport page's machine zone, read in
  // level segments, needs it straightened.
  double straighten_above = 1.0;
};

// Outline (or the whole frame when none), rectified to landscape, then turned upright by reading
// it both ways with the engine. `unread` (optional) receives the lines `how.read_line` declined, in
// upright-card pixels (for reading later).
UprightCard rectify_card(const cv::Mat& bgr, const OcrEngine& engine, const CardReading& how = {},
                         std::vector<Quad>* unread = nullptr);
// The same with the outline given (e.g. where a first reading's labels put the card).
UprightCard rectify_card(const cv::Mat& bgr, const CardLocation& location, const OcrEngine& engine,
                         const CardReading& how = {}, std::vector<Quad>* unread = nullptr);

// A line of small print across half the card: on the permits, the subtitle repeating the title in
// English, which no field comes from (and which at 48 px recognition height costs as much as five
// values). Not for pages with a machine zone of small OCR-B print.
bool is_long_small_print(const Quad& line);

// `rectify_card` at a corrected outline (where a first reading's labels put the card), reusing that
// reading: lines it saw whole and read with confidence are carried over into the new card's pixels;
// only the rest (cut off, missed or doubtful before) are recognized. Reads everything again when the
// correction enlarges the print by half or more (the first reading was too blurred) or turns the card.
UprightCard reread_card(const cv::Mat& bgr, const UprightCard& first, const CardLocation& location,
                        const OcrEngine& engine, const CardReading& how = {});

// Reads `lines` (upright card pixels, reading direction p0->p1) off the upright `card_image`, with
// their characters, and adds them to `into`, keeping it top to bottom: lines a first reading left
// for later.
void read_card_lines(const cv::Mat& card_image, const std::vector<Quad>& lines, const OcrEngine& engine,
                     std::vector<TextLine>& into);

// Maps a quad from rectified-card pixels to photo pixels.
Quad card_to_photo(const UprightCard& card, const Quad& quad);

}  // namespace ocrserve
