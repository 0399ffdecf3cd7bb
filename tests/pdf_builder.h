#pragma once
// A hand-built PDF for tests: pages with their own content streams and a correct xref table.
#include <cstdio>
#include <string>
#include <vector>

namespace ocrserve::test {

struct PdfPage {
  double width, height;  // points
  std::string content;   // the page's content stream
  int rotate = 0;
  std::string extra = {};  // more page dictionary entries, e.g. a CropBox
};

// `encrypt` adds a Standard security handler whose user password is not empty, so the document
// opens locked.
inline std::string build_pdf(const std::vector<PdfPage>& pages, bool encrypt = false) {
  std::string out = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<std::size_t> offsets;
  auto object = [&](const std::string& body) {
    offsets.push_back(out.size());
    out += std::to_string(offsets.size()) + " 0 obj\n" + body + "\nendobj\n";
  };
  object("<< /Type /Catalog /Pages 2 0 R >>");
  std::string kids;
  for (std::size_t i = 0; i < pages.size(); ++i) kids += std::to_string(3 + 2 * i) + " 0 R ";
  object("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages.size()) + " >>");
  for (std::size_t i = 0; i < pages.size(); ++i) {
    const PdfPage& p = pages[i];
    object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + std::to_string(p.width) + " " + std::to_string(p.height) +
           "] /Rotate " + std::to_string(p.rotate) + " " + p.extra + " /Resources << >> /Contents " +
           std::to_string(4 + 2 * i) + " 0 R >>");
    object("<< /Length " + std::to_string(p.content.size()) + " >>\nstream\n" + p.content + "\nendstream");
  }
  std::string trailer_extra;
  if (encrypt) {
    const std::string hash(64, 'A');
    object("<< /Filter /Standard /V 1 /R 2 /O <" + hash + "> /U <" + hash + "> /P -4 >>");
    trailer_extra = " /Encrypt " + std::to_string(offsets.size()) +
                    " 0 R /ID [<0123456789ABCDEF0123456789ABCDEF> "
                    "<0123456789ABCDEF0123456789ABCDEF>]";
  }
  const std::size_t xref = out.size();
  out += "xref\n0 " + std::to_string(offsets.size() + 1) + "\n0000000000 65535 f \n";
  for (std::size_t off : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    out += line;
  }
  out += "trailer\n<< /Size " + std::to_string(offsets.size() + 1) + " /Root 1 0 R" + trailer_extra +
         " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return out;
}

}  // namespace ocrserve::test
