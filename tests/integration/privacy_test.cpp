// Identity documents are personal data: after permits and passports went through every front door
// (answers and refusals), the service's log holds none of the values it read, nor image bytes.
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

std::string png_of(const cv::Mat& image) {
  std::vector<uchar> bytes;
  cv::imencode(".png", image, bytes);
  return {bytes.begin(), bytes.end()};
}

std::string base64_of(const std::string& bytes) {
  return encode_base64(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

// The values worth hiding: every truth value of 4+ bytes (shorter ones, such as "M" or "01", occur in
// any log by chance), and the digits-only form of dates.
void add_secrets(const std::map<std::string, std::string>& fields, std::vector<std::string>& secrets) {
  for (const auto& [name, value] : fields) {
    if (value.size() >= 4) secrets.push_back(value);
    std::string digits;
    for (char c : value) {
      if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
    }
    if (digits.size() >= 6) secrets.push_back(digits);
  }
}

TEST(Privacy, TheLogHoldsNoRecognizedValueAndNoImageBytes) {
  ServerProcess server({});
  auto c = server.client();
  std::vector<std::string> secrets;
  std::vector<std::string> answers;
  const auto huawei = [&](const std::string& api, const nlohmann::json& body) {
    const auto r = c.Post(("/v2/p/ocr/" + api).c_str(), body.dump(), "application/json");
    ASSERT_TRUE(r);
    answers.push_back(r->body);
  };
  const auto tencent = [&](const std::string& action, const nlohmann::json& body) {
    const auto r = c.Post("/", {{"X-TC-Action", action}, {"X-TC-Version", "2018-11-19"}}, body.dump(),
                          "application/json");
    ASSERT_TRUE(r);
    answers.push_back(r->body);
  };
  const auto aliyun = [&](const std::string& action, const std::string& image) {
    const auto r = c.Post("/", {{"x-acs-action", action}, {"x-acs-version", "2021-07-07"}}, image,
                          "application/octet-stream");
    ASSERT_TRUE(r);
    answers.push_back(r->body);
  };

  const synth::PermitSample exit_entry = permit_sample(synth::PermitType::ExitEntryHkMo, synth::Side::Front, 31, false);
  const synth::PermitSample mainland = permit_sample(synth::PermitType::MainlandTw, synth::Side::Front, 32, true);
  const synth::PermitSample back = permit_sample(synth::PermitType::MainlandHkMo, synth::Side::Back, 33, false);
  synth::PassportOptions po;
  po.seed = 34;
  const synth::PassportSample passport = synth::render_passport(po);
  for (const auto* fields : {&exit_entry.truth.fields, &mainland.truth.fields, &back.truth.fields,
                             &passport.truth.fields})
    add_secrets(*fields, secrets);

  const std::string ee = png_of(exit_entry.image), ml = png_of(mainland.image), bk = png_of(back.image),
                    pp = png_of(passport.image);
  huawei("exit-entry-permit", {{"image", base64_of(ee)}, {"return_portrait_image", true}});
  huawei("mainland-travel-permit", {{"image", base64_of(ml)}});
  huawei("mainland-travel-permit", {{"image", base64_of(bk)}});
  huawei("passport", {{"image", base64_of(pp)}, {"country_code", "CHN"}});
  huawei("passport", {{"image", base64_of(ee)}});                  // refused: a permit
  huawei("exit-entry-permit", {{"image", base64_of(ml)}});         // refused: the other family
  tencent("PermitOCR", {{"ImageBase64", base64_of(ee)}});
  tencent("MainlandPermitOCR", {{"ImageBase64", base64_of(bk)}});  // refused: the back without CardSide
  tencent("MLIDPassportOCR", {{"ImageBase64", base64_of(pp)}});
  aliyun("RecognizeExitEntryPermitToMainland", ml);
  aliyun("RecognizePassport", pp);
  aliyun("RecognizeExitEntryPermitToHK", bk);                      // refused

  // The answers did carry the values: the check below is not vacuous.
  std::string all_answers;
  for (const auto& a : answers) all_answers += a;
  int shown = 0;
  for (const auto& s : secrets) shown += all_answers.find(s) != std::string::npos;
  EXPECT_GT(shown, static_cast<int>(secrets.size()) / 2);

  server.stop();
  const std::string log = server.log();
  ASSERT_GT(log.size(), 1000u);  // one access-log line per request
  for (const auto& s : secrets) EXPECT_EQ(log.find(s), std::string::npos) << "the log holds a value: " << s;
  EXPECT_EQ(log.find(base64_of(ee).substr(100, 40)), std::string::npos) << "the log holds image bytes";
  EXPECT_EQ(log.find("iVBORw0KGgo"), std::string::npos) << "the log holds a base64 PNG";
}

}  // namespace
}  // namespace ocrserve::test
