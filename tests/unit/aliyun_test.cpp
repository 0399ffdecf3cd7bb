// The Aliyun front door's contract without sockets: actions, query parameters, seed 003's Data
// schema on synthetic documents (values, their positions, the card and the face), error codes and
// envelopes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "api/aliyun.h"
#include "ocrserve/error.h"
#include "passport.h"
#include "permit.h"
#include "permit_test_support.h"
#include "test_support.h"

namespace ocrserve {
namespace {

using nlohmann::json;
using Query = std::vector<std::pair<std::string, std::string>>;

const api::AliyunAction& action(std::string_view name) {
  const api::AliyunAction* a = api::find_aliyun_action(name);
  if (!a) throw std::runtime_error("no action " + std::string(name));
  return *a;
}

std::string error_code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return "none";
}

json run(const api::AliyunJob& job, const cv::Mat& image) {
  DecodedImage decoded;
  decoded.bgr = image;
  return job.job.extract(decoded);
}

cv::Rect2f rect_of(const json& pos) {
  std::vector<cv::Point2f> points;
  for (const auto& p : pos) points.emplace_back(p["x"].get<float>(), p["y"].get<float>());
  return cv::boundingRect(points);
}

template <typename Quad>
cv::Rect2f rect_of_quad(const Quad& q) {
  return cv::boundingRect(std::vector<cv::Point2f>(q.begin(), q.end()));
}

float overlap(const cv::Rect2f& a, const cv::Rect2f& b) {
  const float inter = (a & b).area();
  return inter / std::max(1.f, std::min(a.area(), b.area()));
}

TEST(Aliyun, TheFourActionsAndTheirApis) {
  EXPECT_EQ(action("RecognizeExitEntryPermitToMainland").api, "mainland-travel-permit");
  EXPECT_EQ(action("RecognizeExitEntryPermitToHK").api, "exit-entry-permit");
  EXPECT_EQ(action("RecognizePassport").api, "passport");
  EXPECT_EQ(action("RecognizeGeneral").api, "general-text");
  EXPECT_EQ(api::find_aliyun_action("RecognizeIdcard"), nullptr);
}

TEST(Aliyun, TheImageIsTheBodyOrUrlNeverBothNorNeither) {
  const OcrEngine& engine = test::SharedEngine::get();
  const auto& a = action("RecognizeExitEntryPermitToHK");
  EXPECT_EQ(error_code_of([&] { api::prepare_aliyun_job(a, {}, false, engine); }), "MissingParameter");
  EXPECT_EQ(error_code_of([&] { api::prepare_aliyun_job(a, {{"Url", "https://x/a.png"}}, true, engine); }),
            "InvalidParameter");
  EXPECT_EQ(error_code_of([&] { api::prepare_aliyun_job(a, {{"OutputFigure", "yes"}}, true, engine); }),
            "InvalidParameter");
  EXPECT_EQ(error_code_of([&] {
              api::prepare_aliyun_job(a, {{"Url", "https://x/" + std::string(2100, 'a')}}, false, engine);
            }),
            "InvalidParameter");
  const auto job = api::prepare_aliyun_job(a, {{"Url", "https://x/a.png"}, {"OutputFigure", "true"}}, false, engine);
  EXPECT_EQ(job.url, "https://x/a.png");
  // Seed 003: the file itself up to 10 MB; GIF and WebP accepted.
  const IntakeLimits& limits = api::prepare_aliyun_job(a, {}, true, engine).job.limits;
  EXPECT_GE(limits.max_base64_bytes, 10u * 1024 * 1024 * 4 / 3);
  EXPECT_TRUE(limits.formats.contains(ImageFormat::Gif));
  EXPECT_TRUE(limits.formats.contains(ImageFormat::Webp));
  EXPECT_FALSE(limits.formats.contains(ImageFormat::Pdf));
}

TEST(Aliyun, ExitEntryPermitDataWithPositionsCardAndFace) {
  const synth::PermitSample s = test::permit_sample(synth::PermitType::ExitEntryHkMo, synth::Side::Front, 11, false);
  const auto job = api::prepare_aliyun_job(action("RecognizeExitEntryPermitToHK"), {{"OutputFigure", "true"}}, true,
                                           test::SharedEngine::get());
  const json d = run(job, s.image);
  const auto& t = s.truth.fields;
  EXPECT_EQ(d["data"]["permitType"], "往来港澳通行证");
  EXPECT_EQ(d["data"]["nameCn"], t.at("name"));
  EXPECT_EQ(d["data"]["permitNumber"], t.at("number"));
  EXPECT_EQ(d["data"]["birthDate"], t.at("birth_date"));
  EXPECT_EQ(d["data"]["validPeriod"], t.at("valid_period"));
  EXPECT_EQ(d["data"]["issueAuthority"], t.at("issuing_authority"));
  EXPECT_EQ(d["data"]["issuePlace"], t.at("issue_place"));
  EXPECT_EQ(d["data"]["mrzCode"], t.at("machine_code"));
  EXPECT_EQ(d["data"]["sex"], t.at("sex") == "M" ? "男" : "女");
  EXPECT_EQ(d["data"]["nameEn"].get<std::string>().find(", "), std::string::npos);
  EXPECT_EQ(d["width"], s.image.cols);
  EXPECT_EQ(d["orgHeight"], s.image.rows);

  // Each value's position covers the line the generator drew it on.
  ASSERT_EQ(d["prism_keyValueInfo"].size(), 10u);
  int located = 0;
  for (const auto& kv : d["prism_keyValueInfo"]) {
    EXPECT_EQ(kv["value"], d["data"][kv["key"].get<std::string>()]);
    if (!kv.contains("valuePos")) continue;
    const cv::Rect2f pos = rect_of(kv["valuePos"]);
    const std::string value = kv["value"];
    bool covered = false;
    for (const auto& line : s.lines) {
      if (line.text.find(value.substr(0, std::min<size_t>(value.size(), 6))) != std::string::npos)
        covered = covered || overlap(pos, rect_of_quad(line.quad)) > 0.6f;
    }
    EXPECT_TRUE(covered) << kv["key"] << " at " << pos;
    ++located;
  }
  EXPECT_GE(located, 8);  // every value read from one place; the type is not

  // The card outline and the face.
  const auto& slice = d["sliceRect"];
  const auto& q = s.truth.card_quad;
  EXPECT_NEAR(slice["x0"].get<float>(), q[0].x, 12);
  EXPECT_NEAR(slice["y2"].get<float>(), q[2].y, 12);
  ASSERT_EQ(d["figure"].size(), 1u);
  EXPECT_EQ(d["figure"][0]["type"], "face");
  EXPECT_GT(overlap(rect_of(d["figure"][0]["points"]), rect_of_quad(s.truth.portrait_quad)), 0.7f);
}

TEST(Aliyun, MainlandPermitDataCountsIssuesAndRefusesTheBack) {
  const OcrEngine& engine = test::SharedEngine::get();
  const synth::PermitSample s = test::permit_sample(synth::PermitType::MainlandTw, synth::Side::Front, 14, false);
  const auto job = api::prepare_aliyun_job(action("RecognizeExitEntryPermitToMainland"), {}, true, engine);
  const json d = run(job, s.image);
  EXPECT_EQ(d["data"]["permitType"], "台湾居民来往大陆通行证");
  EXPECT_EQ(d["data"]["issueCount"], s.truth.fields.at("issue_times"));
  EXPECT_EQ(d["data"]["issuePlace"], s.truth.fields.at("issue_place"));
  EXPECT_FALSE(d["data"].contains("mrzCode"));
  EXPECT_FALSE(d.contains("figure"));  // OutputFigure not asked
  const synth::PermitSample back = test::permit_sample(synth::PermitType::MainlandTw, synth::Side::Back, 14, false);
  EXPECT_EQ(error_code_of([&] { run(job, back.image); }), codes::kImageNotSupported);
}

TEST(Aliyun, PassportDataInAliyunsFormats) {
  synth::PassportOptions o;
  o.kind = synth::PassportKind::China;
  o.seed = 6;
  const synth::PassportSample s = synth::render_passport(o);
  const json d =
      run(api::prepare_aliyun_job(action("RecognizePassport"), {}, true, test::SharedEngine::get()), s.image);
  const auto& t = s.truth.fields;
  const auto compact = [](std::string date) {
    std::erase(date, '-');
    return date;
  };
  EXPECT_EQ(d["data"]["passportNumber"], t.at("passport_number"));
  EXPECT_EQ(d["data"]["nameEn"], t.at("surname") + " " + t.at("given_name"));
  EXPECT_EQ(d["data"]["name"], t.at("extra_info.local_language.name"));
  EXPECT_EQ(d["data"]["birthDate"], compact(t.at("date_of_birth")));
  EXPECT_EQ(d["data"]["validToDate"], compact(t.at("date_of_expiry")));
  EXPECT_EQ(d["data"]["issueDate"], compact(t.at("date_of_issue")));
  EXPECT_EQ(d["data"]["nationality"], "CHN");
  EXPECT_EQ(d["data"]["mrzLine1"], t.at("machine_code"));
  EXPECT_EQ(d["data"]["mrzLine2"], t.at("machine_code2"));
}

TEST(Aliyun, GeneralDataListsWordsWithBoxes) {
  const synth::Sample s = synth::render(synth::Kind::Receipt, 4);
  const json d =
      run(api::prepare_aliyun_job(action("RecognizeGeneral"), {}, true, test::SharedEngine::get()), s.image);
  ASSERT_EQ(d["prism_wnum"], d["prism_wordsInfo"].size());
  ASSERT_GE(d["prism_wordsInfo"].size(), s.lines.size() * 8 / 10);
  for (const auto& w : d["prism_wordsInfo"]) {
    EXPECT_NE(d["content"].get<std::string>().find(w["word"].get<std::string>()), std::string::npos);
    EXPECT_EQ(w["pos"].size(), 4u);
    EXPECT_GT(w["width"].get<int>(), 0);
    EXPECT_LE(std::abs(w["angle"].get<int>()), 5);  // an upright receipt
  }
}

TEST(Aliyun, ErrorCodesStatusesAndEnvelopes) {
  EXPECT_EQ(api::aliyun_error("AIS.0102").code, "illegalImageContent");
  EXPECT_EQ(api::aliyun_error("AIS.0103").code, "illegalImageSize");
  EXPECT_EQ(api::aliyun_error("AIS.0104").code, "unmatchedImageType");
  EXPECT_EQ(api::aliyun_error("AIS.0104").status, 400);
  EXPECT_EQ(api::aliyun_error("ModelArts.4601").code, "illegalImageUrl");
  EXPECT_EQ(api::aliyun_error("AIS.0105").status, 500);
  for (const char* throttled : {"APIG.0308", "ModelArts.4401"}) {
    EXPECT_NE(api::aliyun_error(throttled).code.find("Throttling"), std::string::npos) << throttled;
    EXPECT_EQ(api::aliyun_error(throttled).status, 429);
  }
  EXPECT_EQ(api::aliyun_error("InvalidAccessKeyId.NotFound").status, 404);
  EXPECT_EQ(api::aliyun_error("SignatureNonceUsed").status, 400);

  const json e = json::parse(api::aliyun_error_body("unmatchedImageType", "why", "ID-1"));
  EXPECT_EQ(e["Code"], "unmatchedImageType");
  EXPECT_EQ(e["Message"], "why");
  EXPECT_EQ(e["RequestId"], "ID-1");
  const json ok = json::parse(api::aliyun_success_body({{"data", {{"nameCn", "张三"}}}}, "ID-2"));
  ASSERT_TRUE(ok["Data"].is_string());  // the SDK refuses an object
  EXPECT_EQ(json::parse(ok["Data"].get<std::string>())["data"]["nameCn"], "张三");
  EXPECT_EQ(ok["RequestId"], "ID-2");
}

}  // namespace
}  // namespace ocrserve
