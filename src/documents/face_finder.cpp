#include "face_finder.h"

#include <filesystem>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

namespace ocrserve {

namespace {

constexpr const char* kCascades[] = {"/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml",
                                     "/usr/share/opencv/haarcascades/haarcascade_frontalface_default.xml"};

// detectMultiScale keeps scratch state in the classifier: one per worker thread, loaded once.
cv::CascadeClassifier* cascade() {
  thread_local cv::CascadeClassifier classifier;
  thread_local bool tried = false;
  if (!tried) {
    tried = true;
    for (const char* path : kCascades) {
      std::error_code ec;
      if (std::filesystem::is_regular_file(path, ec) && classifier.load(path)) break;
    }
  }
  return classifier.empty() ? nullptr : &classifier;
}

}  // namespace

std::optional<cv::Rect> find_face(const cv::Mat& bgr, const cv::Rect& region) {
  const cv::Rect r = region & cv::Rect(0, 0, bgr.cols, bgr.rows);
  cv::CascadeClassifier* classifier = cascade();
  if (classifier == nullptr || r.width < 24 || r.height < 24) return std::nullopt;
  cv::Mat gray;
  cv::cvtColor(bgr(r), gray, cv::COLOR_BGR2GRAY);
  cv::equalizeHist(gray, gray);
  std::vector<cv::Rect> faces;
  const int min_side = std::max(24, std::min(r.width, r.height) / 5);
  classifier->detectMultiScale(gray, faces, 1.1, 3, 0, cv::Size(min_side, min_side));
  if (faces.empty()) return std::nullopt;
  const cv::Rect largest = *std::max_element(faces.begin(), faces.end(),
                                             [](const cv::Rect& a, const cv::Rect& b) { return a.area() < b.area(); });
  return largest + r.tl();
}

}  // namespace ocrserve
