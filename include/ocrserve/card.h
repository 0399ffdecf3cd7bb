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

// Outline (or the whole frame when none), rectified to landscape, then turned upright by reading
// it both ways with the engine.
// `read_line` (optional) chooses the detected lines worth recognizing, as RecognizeOptions::read_line;
// `unread` (optional) receives the lines it declined, in upright-card pixels (for reading later).
// `read_part` (optional): the part of each line to read, as RecognizeOptions::read_part.
UprightCard rectify_card(const cv::Mat& bgr, const OcrEngine& engine,
                         const std::function<bool(const Quad&)>& read_line = {}, std::vector<Quad>* unread = nullptr,
                         const std::function<Quad(const Quad&)>& read_part = {});
// The same with the outline given (e.g. where a first reading's labels put the card).
UprightCard rectify_card(const cv::Mat& bgr, const CardLocation& location, const OcrEngine& engine,
                         const std::function<bool(const Quad&)>& read_line = {}, std::vector<Quad>* unread = nullptr,
                         const std::function<Quad(const Quad&)>& read_part = {});

// A line of small print across half the card: on the permits, the subtitle repeating the title in
// English, which no field comes from (and which at 48 px recognition height costs as much as five
// values). Not for pages with a machine zone of small OCR-B print.
bool is_long_small_print(const Quad& line);

// `rectify_card` at a corrected outline (where a first reading's labels put the card), reusing that
// reading: lines it saw whole and read with confidence are carried over into the new card's pixels;
// only the rest (cut off, missed or doubtful before) are recognized. Reads everything again when the
// correction enlarges the print by half or more (the first reading was too blurred) or turns the card.
UprightCard reread_card(const cv::Mat& bgr, const UprightCard& first, const CardLocation& location,
                        const OcrEngine& engine, const std::function<bool(const Quad&)>& read_line = {},
                        const std::function<Quad(const Quad&)>& read_part = {});

// Maps a quad from rectified-card pixels to photo pixels.
Quad card_to_photo(const UprightCard& card, const Quad& quad);

}  // namespace ocrserve
