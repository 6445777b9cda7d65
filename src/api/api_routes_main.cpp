// SPDX-License-Identifier: Apache-2.0
// Prints the API's route table ("METHOD /path/{param}" per line) for the lint test that keeps
// docs/api/openapi.yaml and the code in agreement.
#include <cstdio>

#include "api/api.h"

int main() {
  for (const auto& route : camguard::api::Api::Routes()) {
    std::printf("%.*s %.*s\n", static_cast<int>(route.method.size()), route.method.data(),
                static_cast<int>(route.pattern.size()), route.pattern.data());
  }
  return 0;
}
