// The ocrserve binary as a user runs it: output JSON, exit codes, batch output.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace {

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;  // kept apart unless asked for in `out`: a failed assertion prints it (a sanitizer's report)
};

// stdout only, or stdout and stderr together.
CliRun run(const std::string& args, bool with_stderr = false) {
  CliRun r;
  const auto err_file = std::filesystem::temp_directory_path() / ("ocrserve_cli_stderr_" + std::to_string(::getpid()));
  const std::string cmd =
      std::string(OCRSERVE_BINARY) + " " + args + (with_stderr ? " 2>&1" : " 2>" + err_file.string());
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (!with_stderr) {
    std::ifstream in(err_file);
    r.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    std::filesystem::remove(err_file);
  }
  return r;
}

const std::string kSample = std::string(OCRSERVE_TEST_FIXTURES) + "/sample_receipt.png";

std::filesystem::path temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("ocrserve_cli_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(Cli, RecognizePrintsTheHuaweiResult) {
  const CliRun r = run("recognize general-text " + kSample + " --markdown --character-mode");
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  const auto json = nlohmann::json::parse(r.out);
  const auto& result = json.at("result");
  EXPECT_EQ(result.at("direction"), -1);
  EXPECT_GT(result.at("words_block_count").get<int>(), 20);
  EXPECT_EQ(result.at("words_block_count"), result.at("words_block_list").size());
  EXPECT_NE(result.at("markdown_result").get<std::string>().find("合计"), std::string::npos);
  EXPECT_TRUE(result.at("words_block_list")[0].contains("char_list"));
}

TEST(Cli, UnsupportedFileIsAnAis0102ErrorWithExitCode2) {
  const auto dir = temp_dir("bad");
  std::ofstream(dir / "notes.txt") << "this is not an image";
  const CliRun r = run("recognize general-text " + (dir / "notes.txt").string());
  EXPECT_EQ(r.status, 2);
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json.at("error_code"), "AIS.0102");
  EXPECT_FALSE(json.at("error_msg").get<std::string>().empty());
  std::filesystem::remove_all(dir);
}

TEST(Cli, InvalidFlagValueIsAnAis0101Error) {
  const CliRun r = run("recognize general-text " + kSample + " --language tlh");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(nlohmann::json::parse(r.out).at("error_code"), "AIS.0101");
}

TEST(Cli, BatchWritesOneJsonLinePerFileAndReportsFailures) {
  const auto dir = temp_dir("batch");
  std::filesystem::copy_file(kSample, dir / "a.png");
  std::ofstream(dir / "b.jpg") << "truncated";
  const auto out = dir / "results.jsonl";
  const CliRun r = run("batch --api general-text " + dir.string() + " --out " + out.string() + " --concurrency 2");
  EXPECT_EQ(r.status, 3) << "one file failed";
  std::ifstream in(out);
  std::string line;
  int ok = 0, failed = 0;
  while (std::getline(in, line)) {
    const auto json = nlohmann::json::parse(line);
    if (json.contains("result")) ++ok;
    if (json.contains("error_code")) ++failed;
    EXPECT_TRUE(json.contains("file"));
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(failed, 1);
  std::filesystem::remove_all(dir);
}

TEST(Cli, BatchResumesWhereAnEarlierRunStopped) {
  const auto dir = temp_dir("resume");
  std::filesystem::copy_file(kSample, dir / "a.png");
  std::filesystem::copy_file(kSample, dir / "b.png");
  const auto out = dir / "results.jsonl";
  // An earlier run wrote a.png, then was cut off in the middle of a line.
  std::ofstream(out) << nlohmann::json{{"file", (dir / "a.png").string()}, {"result", {}}}.dump() << "\n"
                     << R"({"file": ")";
  const CliRun r = run("batch --api general-text " + dir.string() + " --out " + out.string(), true);
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("1 files already in"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| skipped |"), std::string::npos) << r.out;
  std::ifstream in(out);
  std::string line;
  std::vector<std::string> files;
  while (std::getline(in, line)) {
    const auto json = nlohmann::json::parse(line, nullptr, false);
    if (json.is_object()) files.push_back(json["file"]);
  }
  EXPECT_EQ(files, (std::vector<std::string>{(dir / "a.png").string(), (dir / "b.png").string()}));
  std::filesystem::remove_all(dir);
}

TEST(Cli, UnknownCommandAndApiFail) {
  EXPECT_EQ(run("frobnicate").status, 2);
  EXPECT_NE(run("recognize passport-of-mars " + kSample).status, 0);
}

// The permit APIs from the command line: the same result object as over HTTP.
TEST(Cli, RecognizeAPermitWithThePortraitFlag) {
  const auto dir = temp_dir("permit");
  const std::string synth = (std::filesystem::path(OCRSERVE_BINARY).parent_path() / "synth").string();
  ASSERT_EQ(std::system((synth + " --permit exit-entry-tw --side front --count 1 --seed 4 --out " + dir.string() +
                         " > /dev/null")
                            .c_str()),
            0);
  const CliRun r = run("recognize exit-entry-permit " + (dir / "exit-entry-tw_front_4.png").string() +
                       " --return-portrait-location --threads 2");
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  const auto result = nlohmann::json::parse(r.out).at("result");
  EXPECT_EQ(result.at("type"), "Exit-Entry Permit for Traveling to and from Taiwan");
  EXPECT_EQ(result.at("side"), "front");
  EXPECT_EQ(result.at("portrait_location").size(), 4u);
  EXPECT_EQ(result.at("number").get<std::string>().size(), 9u);
  const CliRun wrong = run("recognize mainland-travel-permit " + (dir / "exit-entry-tw_front_4.png").string());
  EXPECT_EQ(wrong.status, 2) << wrong.err;
  EXPECT_EQ(nlohmann::json::parse(wrong.out).at("error_code"), "AIS.0104");
}

}  // namespace
