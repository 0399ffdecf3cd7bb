#pragma once
// The field values the Tencent and Aliyun answers share, in the formats those vendors print: the
// same readings as the Huawei answer, only written their way.
#include <string>

#include "ocrserve/passport.h"
#include "ocrserve/permit.h"

namespace ocrserve::api {

class VendorPermitFields {
 public:
  explicit VendorPermitFields(const PermitResult& result) : r_(result) {}
  // The value as the Huawei answer gives it; "" when the field was not read.
  std::string text(const std::string& name) const {
    const FieldValue* v = r_.field(name);
    return v ? v->value : std::string();
  }
  // "ZHANG, SAN" -> "ZHANG,SAN" (Tencent and Aliyun print no space after the comma).
  std::string latin_name_compact() const {
    std::string name = text("name_en");
    for (size_t at = name.find(", "); at != std::string::npos; at = name.find(", ", at)) name.erase(at + 1, 1);
    return name;
  }
  // M -> 男, F -> 女: the sex as the card prints it.
  std::string sex_chinese() const {
    const std::string sex = text("sex");
    return sex == "M" ? "男" : sex == "F" ? "女" : sex;
  }
  std::string chinese_type() const { return chinese_permit_type(r_.type); }

 private:
  const PermitResult& r_;
};

class VendorPassportFields {
 public:
  explicit VendorPassportFields(const PassportResult& result) : r_(result) {}
  std::string text(const std::string& name) const {
    const PassportField* v = r_.field(name);
    return v ? v->value : std::string();
  }
  // From the second line of the machine zone (TD3): dates as YYMMDD, nationality as alpha-3.
  std::string mrz_birth_date() const { return line2(13, 6); }
  std::string mrz_expiry_date() const { return line2(21, 6); }
  std::string mrz_nationality() const {
    std::string code = line2(10, 3);
    while (!code.empty() && code.back() == '<') code.pop_back();
    return code;
  }
  // The document type: the field when read, else the machine zone's first characters ("P").
  std::string document_type() const {
    if (std::string type = text("passport_type"); !type.empty()) return type;
    std::string code = text("machine_code").substr(0, 2);
    while (!code.empty() && code.back() == '<') code.pop_back();
    return code;
  }
  // "1990-01-01" -> "19900101".
  std::string compact_date(const std::string& name) const {
    std::string date = text(name);
    std::erase(date, '-');
    return date;
  }

 private:
  std::string line2(size_t at, size_t length) const {
    const std::string line = text("machine_code2");
    return line.size() >= at + length ? line.substr(at, length) : std::string();
  }
  const PassportResult& r_;
};

}  // namespace ocrserve::api
