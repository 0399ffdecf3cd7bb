#pragma once
// The console's static files and openapi.json, served from web_dir: regular files only, inside the
// directory once every symlink is resolved, of the few types the console uses, with a Content
// Security Policy that allows no inline script and nothing from elsewhere.
#include <string>

#include <httplib.h>

namespace ocrserve::server {

// Answers `relative` (the request path below `root`, percent-decoded; "" or ending in '/' means its
// index.html) from the directory `root`, or a JSON 404 (APIGW.0101) when there is no such file to
// serve.
void serve_static(const std::string& root, const std::string& relative, httplib::Response& res);

}  // namespace ocrserve::server
