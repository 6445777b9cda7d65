# SPDX-License-Identifier: Apache-2.0
# Warnings and hardening are INTERFACE targets applied to our own targets only.
add_library(camguard_warnings INTERFACE)
target_compile_options(camguard_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual
  -Wpedantic -Wnull-dereference -Wformat=2 -Wimplicit-fallthrough -Wold-style-cast)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(camguard_warnings INTERFACE
    -Wmisleading-indentation -Wduplicated-cond -Wlogical-op -Wsuggest-override)
endif()
if(CAMGUARD_WERROR)
  target_compile_options(camguard_warnings INTERFACE -Werror)
endif()

add_library(camguard_hardening INTERFACE)
if(CAMGUARD_HARDEN)
  target_compile_definitions(camguard_hardening INTERFACE _GLIBCXX_ASSERTIONS _FORTIFY_SOURCE=3)
  target_compile_options(camguard_hardening INTERFACE
    -fstack-protector-strong -fstack-clash-protection -fcf-protection -fPIE)
  target_link_options(camguard_hardening INTERFACE -pie -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack)
endif()

if(CAMGUARD_SANITIZE OR CAMGUARD_FUZZ)
  set(CAMGUARD_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
      -fno-omit-frame-pointer)
  add_compile_options(${CAMGUARD_SANITIZER_FLAGS})
  add_link_options(${CAMGUARD_SANITIZER_FLAGS})
endif()
