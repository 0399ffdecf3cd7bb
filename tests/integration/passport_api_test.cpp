// The passport API over HTTP, on synthetic data pages: each country_code mode, a permit sent to it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "ocrserve/image_intake.h"
#include "passport.h"
#include "permit.h"
#include "permit_test_support.h"
#include "server_process.h"

namespace ocrserve::test {
namespace {

const std::string kPassport = "/v2/0123456789abcdef0123456789abcdef/ocr/passport";

class PassportApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess({}); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static std::pair<int, nlohmann::json> post(const nlohmann::json& body) {
    auto c = server_->client();
    c.set_read_timeout(std::chrono::seconds(60));
    const auto r = c.Post(kPassport.c_str(), body.dump(), "application/json");
    if (!r) return {0, {}};
    return {r->status, nlohmann::json::parse(r->body, nullptr, false)};
  }
  static std::string jpeg(const cv::Mat& image) {
    std::vector<uchar> bytes;
    cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, 92});
    return encode_base64(bytes.data(), bytes.size());
  }
  static ServerProcess* server_;
};
ServerProcess* PassportApi::server_ = nullptr;

TEST_F(PassportApi, ChineseModeGivesTheVisualZoneToo) {
  const auto s = synth::render_passport({synth::PassportKind::China, 11, false});
  const auto [status, body] = post({{"image", jpeg(s.image)}, {"country_code", "CHN"}});
  ASSERT_EQ(status, 200) << body.dump();
  const auto& r = body["result"];
  EXPECT_EQ(r["passport_number"], s.truth.fields.at("passport_number"));
  EXPECT_EQ(r["date_of_birth"], s.truth.fields.at("date_of_birth"));
  EXPECT_EQ(r["nationality"], "CHINESE");
  EXPECT_EQ(r["extra_info"]["local_language"]["name"], s.truth.fields.at("extra_info.local_language.name"));
}

TEST_F(PassportApi, GeneralModeOnAForeignPassportReadsTheMachineZone) {
  const auto s = synth::render_passport({synth::PassportKind::Foreign, 12, false});
  for (const char* mode : {"GENERAL", ""}) {
    nlohmann::json request = {{"image", jpeg(s.image)}};
    if (*mode) request["country_code"] = mode;
    const auto [status, body] = post(request);
    ASSERT_EQ(status, 200) << body.dump();
    const auto& r = body["result"];
    EXPECT_EQ(r["machine_code"], s.truth.fields.at("machine_code")) << mode;
    EXPECT_EQ(r["machine_code2"], s.truth.fields.at("machine_code2")) << mode;
    EXPECT_EQ(r["surname"], s.truth.fields.at("surname")) << mode;
    EXPECT_FALSE(r.contains("date_of_issue")) << mode;
    EXPECT_TRUE(r["extra_info"].empty()) << mode;
  }
}

TEST_F(PassportApi, APermitIsAis0104AndABadCountryCodeAis0101) {
  const auto permit = permit_sample(synth::PermitType::ExitEntryHkMo, synth::Side::Front, 2, false);
  auto [status, body] = post({{"image", jpeg(permit.image)}});
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body.value("error_code", ""), "AIS.0104") << body.dump();
  std::tie(status, body) = post({{"image", jpeg(permit.image)}, {"country_code", "chn"}});
  EXPECT_EQ(body.value("error_code", ""), "AIS.0101");
}

}  // namespace
}  // namespace ocrserve::test
