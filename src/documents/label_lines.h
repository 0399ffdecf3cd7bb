#pragma once
// Bilingual labels ("出生日期/Date of birth") read by their Chinese word alone. The English half is
// about two thirds of a label's recognizer columns, and CardText::find looks for a label's Chinese
// word first. A line that only starts where a label is printed is checked before it is cut (one
// longer than the label with its English word is a label run into its value) and after (a part that
// does not show the label's word is read whole after all).
#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "card_fields.h"
#include "ocrserve/card.h"
#include "ocrserve/engine.h"

namespace ocrserve {

// A line of the rectified card as it stands once the card is upright: read_line and read_part see
// the lines of an upside-down card before it is turned (they run right to left). nullopt for one
// running up or down.
std::optional<Quad> upright_card_line(const Quad& line);

class LabelCutter {
 public:
  explicit LabelCutter(std::vector<card_fields::Label> labels) : labels_(std::move(labels)) {}

  // RecognizeOptions::read_part for reading the rectified card (before it is turned upright): a
  // possible label's Chinese part, any other line whole. Remembers what it cut.
  Quad operator()(const Quad& line);

  // After the card is read upright: each cut part that was read without its label's word is read
  // again whole; the others stay as read.
  void mend(UprightCard& card, const OcrEngine& engine) const { mend(card.image, card.text.lines, engine); }
  // The same for `lines` read off the upright `card` image.
  void mend(const cv::Mat& card, std::vector<TextLine>& lines, const OcrEngine& engine) const;

  // The label `line` (upright card pixels, reading direction p0->p1) may be: it starts near where
  // one of the labels is printed, and is no longer than the label with its English word but longer
  // than its Chinese part. nullopt: read the line whole.
  std::optional<card_fields::Label> label_at(const Quad& line) const;

 private:
  struct Cut {
    Quad part, whole;  // upright card pixels
    card_fields::Label label;
  };
  std::vector<card_fields::Label> labels_;
  std::vector<Cut> cuts_;
};

}  // namespace ocrserve
