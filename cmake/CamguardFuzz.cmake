# SPDX-License-Identifier: Apache-2.0
# camguard_add_fuzzer(NAME SOURCE DEPS...)
#
# SOURCE defines LLVMFuzzerTestOneInput (and optionally LLVMFuzzerInitialize). Always builds
# NAME_replay (SOURCE + tests/fuzz/replay_main.cpp) and registers the ctest fuzz_replay_NAME
# (label "fuzz") that feeds every file of tests/fuzz/corpus/NAME/ to the target, so every
# compiler and sanitizer build replays the committed corpus. With CAMGUARD_FUZZ=ON (clang)
# it also builds the libFuzzer binary NAME, and compiles the camguard libraries it links
# with coverage instrumentation so the fuzzer is guided by our code, not only by SOURCE.
include_guard(GLOBAL)

# Adds -fsanitize=fuzzer-no-link to `target` and to every camguard library it links,
# directly or transitively (each target once).
function(_camguard_fuzz_instrument target)
  if(TARGET ${target})
    get_target_property(aliased ${target} ALIASED_TARGET)
    if(aliased)
      set(target ${aliased})
    endif()
  endif()
  if(NOT TARGET ${target} OR NOT target MATCHES "^camguard_")
    return()
  endif()
  get_property(done GLOBAL PROPERTY CAMGUARD_FUZZ_INSTRUMENTED)
  if(target IN_LIST done)
    return()
  endif()
  set_property(GLOBAL APPEND PROPERTY CAMGUARD_FUZZ_INSTRUMENTED ${target})
  get_target_property(type ${target} TYPE)
  if(NOT type STREQUAL "INTERFACE_LIBRARY")
    set_property(TARGET ${target} APPEND PROPERTY COMPILE_OPTIONS -fsanitize=fuzzer-no-link)
  endif()
  get_target_property(links ${target} LINK_LIBRARIES)
  if(links)
    foreach(link IN LISTS links)
      _camguard_fuzz_instrument(${link})
    endforeach()
  endif()
endfunction()

function(camguard_add_fuzzer name source)
  set(deps ${ARGN})
  get_filename_component(source ${source} ABSOLUTE)
  set(corpus ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus/${name})

  if(NOT TARGET camguard_fuzz_replay_main)
    add_library(camguard_fuzz_replay_main STATIC
                ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
    target_link_libraries(camguard_fuzz_replay_main PRIVATE camguard_warnings)
  endif()

  add_executable(${name}_replay ${source})
  target_link_libraries(${name}_replay PRIVATE ${deps} camguard_fuzz_replay_main
                        camguard_warnings)
  add_test(NAME fuzz_replay_${name} COMMAND ${name}_replay ${corpus})
  set_tests_properties(fuzz_replay_${name} PROPERTIES LABELS fuzz TIMEOUT 300)

  if(CAMGUARD_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
      message(FATAL_ERROR "CAMGUARD_FUZZ needs clang (libFuzzer); use the 'fuzz' preset")
    endif()
    add_executable(${name} ${source})
    target_link_libraries(${name} PRIVATE ${deps} camguard_warnings)
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    foreach(dep IN LISTS deps)
      _camguard_fuzz_instrument(${dep})
    endforeach()
  endif()
endfunction()
