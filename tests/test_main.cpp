// The test binaries' main: the process settings the service's own main makes, then every test.
#include <gtest/gtest.h>

#include "ocrserve/engine.h"

int main(int argc, char** argv) {
  ocrserve::keep_image_operations_on_calling_threads();
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
