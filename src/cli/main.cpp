// ocrserve command line: recognize one file, or a directory in batch.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "ocrserve/engine.h"
#include "ocrserve/image_intake.h"
#include "server/http_server.h"

namespace {

void usage(std::ostream& out) {
  out << "usage:\n"
         "  ocrserve recognize general-text FILE [--detect-direction] [--quick-mode] [--character-mode]\n"
         "                    [--single-orientation-mode] [--markdown] [--language CODE] [--pdf-page-number N]\n"
         "  ocrserve batch --api general-text DIR --out results.jsonl [--concurrency N] [flags as above]\n"
         "  ocrserve serve [--config FILE] [--host H] [--port P] ...   (ocrserve serve --help)\n"
         "  ocrserve routes                                              (every route serve answers, as JSON)\n"
         "common: [--threads N] (threads one recognition may use) [--models DIR]\n";
}

// Tesseract's OpenMP reads OMP_THREAD_LIMIT when the library loads; unbounded it stalls for
// tens of seconds on a busy machine. Restart once with it set.
void bound_openmp(char** argv) {
  if (std::getenv("OMP_THREAD_LIMIT") != nullptr) return;
  setenv("OMP_THREAD_LIMIT", "1", 1);
  execv("/proc/self/exe", argv);  // returns only on failure; then carry on as we are
}

}  // namespace

int main(int argc, char** argv) {
  bound_openmp(argv);
  ocrserve::keep_inference_buffers_in_heap();
  ocrserve::keep_image_operations_on_calling_threads();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    usage(args.empty() ? std::cerr : std::cout);
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "recognize") return ocrserve::cli::run_recognize(args);
    if (command == "batch") return ocrserve::cli::run_batch(args);
    if (command == "serve") return ocrserve::server::run_server(args);
    if (command == "routes") return ocrserve::cli::run_routes(args);
    // Internal: the server's PDF renderer process (ImageIntake, PdfRenderPolicy).
    if (command == "render-pdf-page") return ocrserve::pdf_render_helper_main(args);
  } catch (const std::exception& e) {
    std::cerr << "ocrserve: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "ocrserve: unknown command '" << command << "'\n";
  usage(std::cerr);
  return 2;
}
