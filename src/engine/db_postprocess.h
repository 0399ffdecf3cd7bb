#pragma once
// DB (Differentiable Binarization) post-processing: probability map -> text boxes.
#include <vector>

#include <opencv2/core.hpp>

#include "ocrserve/engine.h"

namespace ocrserve::engine {

struct DbParams {
  float threshold = 0.3f;      // pixel is text when probability > threshold
  float box_threshold = 0.6f;  // mean probability inside a box to keep it
  float unclip_ratio = 1.5f;   // DB shrinks text regions in training; grow them back
  int min_size = 3;            // shorter box side (map pixels) below this is noise
  int max_candidates = 1000;
};

struct ScoredQuad {
  Quad quad;  // tl, tr, br, bl
  float score = 0.f;
};

// `probability` is CV_32F (map_h x map_w). Boxes are scaled to a source of `source_size`.
std::vector<ScoredQuad> db_boxes(const cv::Mat& probability, const DbParams& params, cv::Size source_size);

// Mean of `probability` inside the polygon (clipped to the map).
float polygon_score(const cv::Mat& probability, const std::vector<cv::Point2f>& polygon);

// The rectangle grown by distance area*ratio/perimeter on every side (exact offset of a rectangle,
// as a polygon clipper would produce, minus rounded corners that the min-area box ignores).
cv::RotatedRect unclip(const cv::RotatedRect& rect, float ratio);

}  // namespace ocrserve::engine
