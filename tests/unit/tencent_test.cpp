// The Tencent front door's contract without sockets: actions, request fields, the response fields
// of each action on synthetic documents, error codes and envelopes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/tencent.h"
#include "ocrserve/error.h"
#include "passport.h"
#include "permit.h"
#include "permit_test_support.h"
#include "test_support.h"

namespace ocrserve {
namespace {

using nlohmann::json;

const api::TencentAction& action(std::string_view name) {
  const api::TencentAction* a = api::find_tencent_action(name);
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

std::string tencent_sex(const std::string& huawei) { return huawei == "M" ? "男" : huawei == "F" ? "女" : "?"; }

std::string compact_name(std::string name) {
  for (size_t at = name.find(", "); at != std::string::npos; at = name.find(", ")) name.erase(at + 1, 1);
  return name;
}

json run(const api::TencentJob& job, const cv::Mat& image) {
  DecodedImage decoded;
  decoded.bgr = image;
  return job.job.extract(decoded);
}

TEST(Tencent, TheFourActionsAndTheirApis) {
  EXPECT_EQ(action("PermitOCR").api, "exit-entry-permit");
  EXPECT_EQ(action("MainlandPermitOCR").api, "mainland-travel-permit");
  EXPECT_EQ(action("MLIDPassportOCR").api, "passport");
  EXPECT_EQ(action("GeneralBasicOCR").api, "general-text");
  EXPECT_EQ(api::find_tencent_action("IDCardOCR"), nullptr);
  EXPECT_EQ(api::find_tencent_action("permitocr"), nullptr);  // actions are case-sensitive
}

TEST(Tencent, RequestFieldsAreCheckedByName) {
  const OcrEngine& engine = test::SharedEngine::get();
  const auto prepare = [&](std::string_view a, const json& body) {
    return [&, a, body] { api::prepare_tencent_job(action(a), body, engine); };
  };
  EXPECT_EQ(error_code_of(prepare("PermitOCR", {{"ImageBase64", "AAAA"}, {"RetProfile", true}})), "UnknownParameter");
  EXPECT_EQ(error_code_of(prepare("PermitOCR", {{"ImageBase64", 12}})), "InvalidParameter");
  EXPECT_EQ(error_code_of(prepare("PermitOCR", json::object())), "InvalidParameter");
  EXPECT_EQ(error_code_of(prepare("PermitOCR", {{"ImageBase64", ""}})), "InvalidParameter");
  EXPECT_EQ(error_code_of(prepare("PermitOCR", {{"ImageBase64", "AAAA"}, {"CropPortrait", "yes"}})),
            "InvalidParameter");
  EXPECT_EQ(error_code_of(prepare("MainlandPermitOCR", {{"ImageBase64", "AAAA"}, {"CardSide", "SIDE"}})),
            "InvalidParameterValue.InvalidParameterValueLimit");
  EXPECT_EQ(error_code_of(prepare("GeneralBasicOCR", {{"ImageBase64", "AAAA"}, {"LanguageType", "xx"}})),
            "InvalidParameterValue.InvalidParameterValueLimit");
  EXPECT_EQ(error_code_of(prepare("GeneralBasicOCR", {{"ImageBase64", "AAAA"}, {"PdfPageNumber", 0}})),
            "InvalidParameter");
  EXPECT_EQ(error_code_of(prepare("MLIDPassportOCR", {{"ImageBase64", "AAAA"}, {"CardSide", "FRONT"}})),
            "UnknownParameter");
  EXPECT_EQ(error_code_of(prepare("GeneralBasicOCR", json::array())), "InvalidParameter");
}

TEST(Tencent, ImageUrlWinsOverImageBase64AsDocumented) {
  const auto job = api::prepare_tencent_job(
      action("PermitOCR"), {{"ImageBase64", "AAAA"}, {"ImageUrl", "https://example.com/a.jpg"}},
      test::SharedEngine::get());
  EXPECT_EQ(job.url, "https://example.com/a.jpg");
  EXPECT_FALSE(job.image_base64);
}

TEST(Tencent, LimitsFollowEachActionsDocumentation) {
  const OcrEngine& engine = test::SharedEngine::get();
  EXPECT_EQ(api::prepare_tencent_job(action("PermitOCR"), {{"ImageBase64", "AAAA"}}, engine).job.limits.max_base64_bytes,
            7u * 1024 * 1024);
  EXPECT_EQ(api::prepare_tencent_job(action("MainlandPermitOCR"), {{"ImageBase64", "AAAA"}}, engine)
                .job.limits.max_base64_bytes,
            10u * 1024 * 1024);
  const auto plain = api::prepare_tencent_job(action("GeneralBasicOCR"), {{"ImageBase64", "AAAA"}}, engine);
  EXPECT_FALSE(plain.job.limits.formats.contains(ImageFormat::Pdf));  // PDFs only with IsPdf
  const auto pdf = api::prepare_tencent_job(action("GeneralBasicOCR"),
                                            {{"ImageBase64", "AAAA"}, {"IsPdf", true}, {"PdfPageNumber", 2}}, engine);
  EXPECT_TRUE(pdf.job.limits.formats.contains(ImageFormat::Pdf));
  EXPECT_EQ(pdf.job.intake.pdf_page_number, 2);
}

TEST(Tencent, PermitOcrAnswersTheFrontInTencentsFormats) {
  const synth::PermitSample s = test::permit_sample(synth::PermitType::ExitEntryHkMo, synth::Side::Front, 11, false);
  const auto job = api::prepare_tencent_job(action("PermitOCR"), {{"ImageBase64", "AAAA"}, {"CropPortrait", true}},
                                            test::SharedEngine::get());
  const json r = run(job, s.image);
  const auto& t = s.truth.fields;
  EXPECT_EQ(r["Name"], t.at("name"));
  EXPECT_EQ(r["EnglishName"], compact_name(t.at("name_en")));
  EXPECT_EQ(r["Number"], t.at("number"));
  EXPECT_EQ(r["Sex"], tencent_sex(t.at("sex")));
  EXPECT_EQ(r["ValidDate"], t.at("valid_period"));
  EXPECT_EQ(r["IssueAuthority"], t.at("issuing_authority"));
  EXPECT_EQ(r["IssueAddress"], t.at("issue_place"));
  EXPECT_EQ(r["Birthday"], t.at("birth_date"));
  EXPECT_EQ(r["Type"], "往来港澳通行证");
  const std::string portrait = r["PortraitImage"];
  ASSERT_GT(portrait.size(), 1000u);
  const std::vector<std::uint8_t> jpeg = decode_base64_strict(portrait);
  EXPECT_EQ(jpeg.at(0), 0xFF);
  EXPECT_EQ(jpeg.at(1), 0xD8);
}

TEST(Tencent, PermitOcrRefusesTheBackWithWhatToSend) {
  const synth::PermitSample s = test::permit_sample(synth::PermitType::ExitEntryTw, synth::Side::Back, 12, false);
  const auto job = api::prepare_tencent_job(action("PermitOCR"), {{"ImageBase64", "AAAA"}}, test::SharedEngine::get());
  EXPECT_EQ(error_code_of([&] { run(job, s.image); }), codes::kImageNotSupported);
}

TEST(Tencent, MainlandPermitOcrReadsEitherSideAsCardSideSays) {
  const OcrEngine& engine = test::SharedEngine::get();
  const synth::PermitSample front = test::permit_sample(synth::PermitType::MainlandHkMo, synth::Side::Front, 13, false);
  const json f = run(api::prepare_tencent_job(action("MainlandPermitOCR"), {{"ImageBase64", "AAAA"}}, engine),
                     front.image);
  const auto& t = front.truth.fields;
  EXPECT_EQ(f["Name"], t.at("name"));
  EXPECT_EQ(f["EnglishName"], compact_name(t.at("name_en")));
  EXPECT_EQ(f["Sex"], tencent_sex(t.at("sex")));
  EXPECT_EQ(f["Birthday"], t.at("birth_date"));
  EXPECT_EQ(f["Number"], t.at("number"));
  EXPECT_EQ(f["IssueNumber"], t.at("issue_times"));
  EXPECT_EQ(f["ValidDate"], t.at("valid_period"));
  EXPECT_EQ(f["Type"], "港澳居民来往内地通行证");
  EXPECT_EQ(f["Nationality"], "中国");
  EXPECT_EQ(f["Profile"], "");  // RetProfile not set
  EXPECT_TRUE(f["MainlandTravelPermitBackInfos"].is_null());

  const synth::PermitSample back = test::permit_sample(synth::PermitType::MainlandHkMo, synth::Side::Back, 13, false);
  const auto back_job =
      api::prepare_tencent_job(action("MainlandPermitOCR"), {{"ImageBase64", "AAAA"}, {"CardSide", "BACK"}}, engine);
  const json b = run(back_job, back.image);
  EXPECT_EQ(b["MainlandTravelPermitBackInfos"]["Name"], back.truth.fields.at("id_name"));
  EXPECT_EQ(b["MainlandTravelPermitBackInfos"]["IDNumber"], back.truth.fields.at("id_number"));
  EXPECT_EQ(b["MainlandTravelPermitBackInfos"]["Type"], "港澳居民来往内地通行证");
  // The front sent as BACK (and the back as FRONT) is refused rather than answered empty.
  EXPECT_EQ(error_code_of([&] { run(back_job, front.image); }), codes::kImageNotSupported);
}

TEST(Tencent, MlidPassportOcrGivesTheMachineZoneAndTheVisualZone) {
  synth::PassportOptions o;
  o.kind = synth::PassportKind::China;
  o.seed = 5;
  const synth::PassportSample s = synth::render_passport(o);
  const auto job =
      api::prepare_tencent_job(action("MLIDPassportOCR"), {{"ImageBase64", "AAAA"}}, test::SharedEngine::get());
  const json r = run(job, s.image);
  const auto& t = s.truth.fields;
  EXPECT_EQ(r["ID"], t.at("passport_number"));
  EXPECT_EQ(r["Surname"], t.at("surname"));
  EXPECT_EQ(r["GivenName"], t.at("given_name"));
  EXPECT_EQ(r["Name"], t.at("surname") + " " + t.at("given_name"));
  EXPECT_EQ(r["Sex"], t.at("sex"));
  EXPECT_EQ(r["CodeSet"], t.at("machine_code"));
  EXPECT_EQ(r["CodeCrc"], t.at("machine_code2"));
  EXPECT_EQ(r["DateOfBirth"], t.at("machine_code2").substr(13, 6));
  EXPECT_EQ(r["DateOfExpiration"], t.at("machine_code2").substr(21, 6));
  EXPECT_EQ(r["Nationality"], "CHN");
  EXPECT_EQ(r["IssuingCountry"], "CHN");
  EXPECT_EQ(r["PassportRecognizeInfos"]["Name"], t.at("extra_info.local_language.name"));
  EXPECT_EQ(r["PassportRecognizeInfos"]["DateOfIssuance"], t.at("date_of_issue"));
  EXPECT_TRUE(r["Warn"].is_array());
}

TEST(Tencent, GeneralBasicOcrListsLinesWithPolygonsAndWordsOnRequest) {
  const synth::Sample s = synth::render(synth::Kind::Receipt, 3);
  const auto job = api::prepare_tencent_job(action("GeneralBasicOCR"), {{"ImageBase64", "AAAA"}, {"IsWords", true}},
                                            test::SharedEngine::get());
  const json r = run(job, s.image);
  ASSERT_GE(r["TextDetections"].size(), s.lines.size() * 8 / 10);
  std::string all;
  for (const auto& d : r["TextDetections"]) {
    all += d["DetectedText"].get<std::string>();
    EXPECT_EQ(d["Polygon"].size(), 4u);
    EXPECT_GE(d["Confidence"].get<int>(), 50);
    EXPECT_LE(d["Confidence"].get<int>(), 100);
    EXPECT_GT(d["ItemPolygon"]["Width"].get<int>(), 0);
    EXPECT_EQ(d["Words"].size(), d["WordCoordPoint"].size());
    EXPECT_FALSE(d["Words"].empty());
    EXPECT_TRUE(json::parse(d["AdvancedInfo"].get<std::string>())["Parag"].contains("ParagNo"));
  }
  EXPECT_NE(all.find(s.lines.front().text.substr(0, 3)), std::string::npos);
  EXPECT_NEAR(r["Angle"].get<double>(), 0, 2);  // an upright receipt
  EXPECT_EQ(r["Angel"], r["Angle"]);
  EXPECT_EQ(r["PdfPageSize"], 0);
}

TEST(Tencent, ErrorCodesAndEnvelopes) {
  EXPECT_EQ(api::tencent_error_code("AIS.0102"), "FailedOperation.ImageDecodeFailed");
  EXPECT_EQ(api::tencent_error_code("AIS.0103", reasons::kTooManyBytes), "LimitExceeded.TooLargeFileError");
  EXPECT_EQ(api::tencent_error_code("AIS.0103"), "InvalidParameterValue.InvalidParameterValueLimit");
  EXPECT_EQ(api::tencent_error_code("AIS.0104"), "FailedOperation.OcrFailed");
  EXPECT_EQ(api::tencent_error_code("ModelArts.4603"), "FailedOperation.DownLoadError");
  EXPECT_EQ(api::tencent_error_code("APIG.0308"), "RequestLimitExceeded");
  EXPECT_EQ(api::tencent_error_code("ModelArts.4401"), "RequestLimitExceeded");
  EXPECT_EQ(api::tencent_error_code("AuthFailure.SignatureExpire"), "AuthFailure.SignatureExpire");

  const json e = json::parse(api::tencent_error_body("FailedOperation.OcrFailed", "why", "id-1"));
  EXPECT_EQ(e["Response"]["Error"]["Code"], "FailedOperation.OcrFailed");
  EXPECT_EQ(e["Response"]["Error"]["Message"], "why");
  EXPECT_EQ(e["Response"]["RequestId"], "id-1");
  const json ok = json::parse(api::tencent_success_body({{"Name", "x"}}, "id-2"));
  EXPECT_EQ(ok["Response"]["Name"], "x");
  EXPECT_EQ(ok["Response"]["RequestId"], "id-2");
}

}  // namespace
}  // namespace ocrserve
