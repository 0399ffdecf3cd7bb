// exit-entry-permit and mainland-travel-permit over HTTP, on synthetic permits with known fields.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <fstream>

#include "ocrserve/image_intake.h"
#include "permit.h"
#include "permit_test_support.h"
#include "server_process.h"

namespace ocrserve::test {
namespace {

const std::string kProject = "0123456789abcdef0123456789abcdef";
const std::string kExitEntry = "/v2/" + kProject + "/ocr/exit-entry-permit";
const std::string kMainland = "/v2/" + kProject + "/ocr/mainland-travel-permit";

struct Reply {
  int status = 0;
  nlohmann::json body;
};

class PermitApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess({}); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static Reply post(const std::string& path, const nlohmann::json& body) {
    auto c = server_->client();
    c.set_read_timeout(std::chrono::seconds(60));
    const auto r = c.Post(path.c_str(), body.dump(), "application/json");
    Reply reply;
    if (!r) return reply;
    reply.status = r->status;
    reply.body = nlohmann::json::parse(r->body, nullptr, false);
    return reply;
  }

  static std::string encode(const cv::Mat& image, const char* ext = ".jpg") {
    std::vector<uchar> bytes;
    cv::imencode(ext, image, bytes);
    return encode_base64(bytes.data(), bytes.size());
  }

  static ServerProcess* server_;
};
ServerProcess* PermitApi::server_ = nullptr;

std::string error_code(const Reply& r) {
  return r.body.is_object() ? r.body.value("error_code", "") : "";
}

// The value of a dotted field name ("endorsement_info_hk.remark") in a result.
std::string value_of(const nlohmann::json& result, const std::string& name) {
  const size_t dot = name.find('.');
  const nlohmann::json& v = dot == std::string::npos ? result[name] : result[name.substr(0, dot)][name.substr(dot + 1)];
  return v.is_string() ? v.get<std::string>() : "<missing>";
}

// Each side of each permit type, clean: type, side and every printed field as the seed defines them.
TEST_F(PermitApi, EverySideOfEveryPermitType) {
  const synth::PermitType types[] = {synth::PermitType::ExitEntryHkMo, synth::PermitType::ExitEntryTw,
                                     synth::PermitType::MainlandHkMo, synth::PermitType::MainlandTw};
  for (const auto type : types) {
    for (const auto side : {synth::Side::Front, synth::Side::Back}) {
      const synth::PermitSample sample = permit_sample(type, side, 41, false);
      const bool exit_entry = type == synth::PermitType::ExitEntryHkMo || type == synth::PermitType::ExitEntryTw;
      const Reply r = post(exit_entry ? kExitEntry : kMainland, {{"image", encode(sample.image, ".png")}});
      const std::string what = std::string(synth::permit_slug(type)) + "/" + synth::side_name(side);
      ASSERT_EQ(r.status, 200) << what << " " << r.body.dump();
      const nlohmann::json& result = r.body["result"];
      EXPECT_EQ(result["type"], synth::permit_api_type(type)) << what;
      EXPECT_EQ(result["side"], synth::side_name(side)) << what;
      int wrong = 0;
      for (const auto& [name, want] : sample.truth.fields) {
        if (value_of(result, name) != want) ++wrong;
        EXPECT_TRUE(result["confidence"].is_object()) << what;
      }
      // Clean cards: at most one field may be misread (bench/permits measures the rate).
      EXPECT_LE(wrong, 1) << what << " " << result.dump();
      EXPECT_FALSE(result.contains("portrait_image")) << what;
      EXPECT_FALSE(result.contains("portrait_location")) << what;
    }
  }
}

TEST_F(PermitApi, ConfidenceHasTheSeedShape) {
  const synth::PermitSample sample = permit_sample(synth::PermitType::ExitEntryHkMo, synth::Side::Back, 7, false);
  const Reply r = post(kExitEntry, {{"image", encode(sample.image)}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  const nlohmann::json& c = r.body["result"]["confidence"];
  for (const char* block : {"endorsement_info_hk", "endorsement_info_mo"}) {
    ASSERT_TRUE(c[block].is_object()) << c.dump();
    for (const char* f :
         {"endorsement_type", "valid_round_trips", "endorsement_valid_period", "remark", "issue_info"}) {
      ASSERT_TRUE(c[block][f].is_number()) << block << "." << f;
      EXPECT_GE(c[block][f].get<double>(), 0.0);
      EXPECT_LE(c[block][f].get<double>(), 1.0);
    }
  }
  EXPECT_TRUE(c["type"].is_number());
  EXPECT_TRUE(c["side"].is_number());
}

// A photographed front with the portrait options: the location lies on the printed photo, the image
// is a JPEG of about its shape.
TEST_F(PermitApi, PortraitImageAndLocation) {
  const synth::PermitSample sample = permit_sample(synth::PermitType::ExitEntryTw, synth::Side::Front, 5, true);
  const Reply r =
      post(kExitEntry,
           {{"image", encode(sample.image)}, {"return_portrait_image", true}, {"return_portrait_location", true}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  const nlohmann::json& result = r.body["result"];
  ASSERT_TRUE(result["portrait_location"].is_array());
  ASSERT_EQ(result["portrait_location"].size(), 4u);
  const auto& truth = sample.truth.portrait_quad;
  const double size = cv::norm(truth[0] - truth[2]);
  for (int i = 0; i < 4; ++i) {
    const cv::Point2f p(result["portrait_location"][i][0].get<float>(), result["portrait_location"][i][1].get<float>());
    EXPECT_LT(cv::norm(p - truth[static_cast<size_t>(i)]), 0.15 * size)
        << "corner " << i << " " << result["portrait_location"].dump();
  }
  const std::vector<std::uint8_t> jpeg = decode_base64_strict(result["portrait_image"].get<std::string>());
  const cv::Mat portrait = cv::imdecode(jpeg, cv::IMREAD_COLOR);
  ASSERT_FALSE(portrait.empty());
  EXPECT_GT(portrait.rows, portrait.cols);  // a portrait-shaped photo
  EXPECT_GT(portrait.cols, 40);
}

TEST_F(PermitApi, MainlandFrontWithPortraitLocationOnly) {
  const synth::PermitSample sample = permit_sample(synth::PermitType::MainlandHkMo, synth::Side::Front, 9, false);
  const Reply r = post(kMainland, {{"image", encode(sample.image)}, {"return_portrait_location", true}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["result"]["portrait_location"].size(), 4u);
  EXPECT_FALSE(r.body["result"].contains("portrait_image"));
  EXPECT_EQ(r.body["result"]["number"], sample.truth.fields.at("number"));
}

TEST_F(PermitApi, ANonPermitImageIsAis0104) {
  std::ifstream in(std::string(OCRSERVE_TEST_FIXTURES) + "/sample_receipt.png", std::ios::binary);
  const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  for (const std::string& path : {kExitEntry, kMainland}) {
    const Reply r = post(path, {{"image", encode_base64(bytes.data(), bytes.size())}});
    EXPECT_EQ(r.status, 400) << path;
    EXPECT_EQ(error_code(r), "AIS.0104") << path << " " << r.body.dump();
  }
}

TEST_F(PermitApi, TheOtherFamilysPermitIsAis0104WithTheRightApiNamed) {
  const synth::PermitSample mainland = permit_sample(synth::PermitType::MainlandTw, synth::Side::Front, 3, false);
  Reply r = post(kExitEntry, {{"image", encode(mainland.image)}});
  EXPECT_EQ(error_code(r), "AIS.0104");
  EXPECT_NE(r.body.value("error_msg", "").find("mainland-travel-permit"), std::string::npos) << r.body.dump();
  const synth::PermitSample exit_entry = permit_sample(synth::PermitType::ExitEntryHkMo, synth::Side::Front, 3, false);
  r = post(kMainland, {{"image", encode(exit_entry.image)}});
  EXPECT_EQ(error_code(r), "AIS.0104");
  EXPECT_NE(r.body.value("error_msg", "").find("exit-entry-permit"), std::string::npos) << r.body.dump();
}

TEST_F(PermitApi, ImageSizeOutOfRangeIsAis0103) {
  for (const cv::Size size : {cv::Size(10, 10), cv::Size(8200, 20)}) {
    const Reply r = post(kExitEntry, {{"image", encode(cv::Mat(size, CV_8UC3, cv::Scalar(255, 255, 255)), ".png")}});
    EXPECT_EQ(r.status, 400) << size;
    EXPECT_EQ(error_code(r), "AIS.0103") << size;
  }
}

TEST_F(PermitApi, GifIsNotAcceptedByThePermitApis) {
  // A 20x20 GIF89a: header, screen descriptor, image descriptor, a tiny LZW block, trailer.
  const std::vector<std::uint8_t> gif = {0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x14, 0x00, 0x14, 0x00,
                                         0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00,
                                         0x14, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B};
  for (const std::string& path : {kExitEntry, kMainland}) {
    const Reply r = post(path, {{"image", encode_base64(gif.data(), gif.size())}});
    EXPECT_EQ(r.status, 400) << path;
    EXPECT_EQ(error_code(r), "AIS.0102") << path << " " << r.body.dump();
  }
}

TEST_F(PermitApi, TypeLanguageZhGivesTheChineseName) {
  const synth::PermitSample sample = permit_sample(synth::PermitType::MainlandTw, synth::Side::Back, 6, false);
  const Reply r = post(kMainland, {{"image", encode(sample.image)}, {"type_language", "zh"}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["result"]["type"], "台湾居民来往大陆通行证");
  EXPECT_EQ(error_code(post(kMainland, {{"image", "aGVsbG8="}, {"type_language", "fr"}})), "AIS.0101");
}

TEST_F(PermitApi, BadFlagsAreAis0101) {
  const Reply r = post(kExitEntry, {{"image", "aGVsbG8="}, {"return_portrait_image", "yes"}});
  EXPECT_EQ(error_code(r), "AIS.0101");
  EXPECT_NE(r.body.value("error_msg", "").find("return_portrait_image"), std::string::npos);
  EXPECT_EQ(error_code(post(kMainland, {{"return_portrait_location", true}})), "AIS.0101");  // no image
}

}  // namespace
}  // namespace ocrserve::test
