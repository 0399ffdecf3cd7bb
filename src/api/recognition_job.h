#pragma once
// One API's work on an image, whatever front door it came through: the intake limits and options,
// and the extractor that turns the decoded image into that door's result object.
#include <functional>

#include <nlohmann/json.hpp>

#include "ocrserve/image_intake.h"

namespace ocrserve::api {

struct RecognitionJob {
  IntakeLimits limits;
  IntakeOptions intake;
  std::function<nlohmann::json(const DecodedImage&)> extract;
};

}  // namespace ocrserve::api
