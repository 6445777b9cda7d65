# SPDX-License-Identifier: Apache-2.0
# camguard_add_module(NAME SOURCES... DEPS...) builds src/NAME as library camguard_NAME
# (alias camguard::NAME). Unit tests beside the code (*_test.cpp) form camguard_NAME_test.
function(camguard_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;TEST_DEPS" ${ARGN})
  add_library(camguard_${name} STATIC ${ARG_SOURCES})
  add_library(camguard::${name} ALIAS camguard_${name})
  target_include_directories(camguard_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(camguard_${name} PUBLIC ${ARG_DEPS}
                        PRIVATE camguard_warnings camguard_hardening)
  file(GLOB test_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cpp)
  if(test_sources)
    add_executable(camguard_${name}_test ${test_sources})
    target_link_libraries(camguard_${name}_test PRIVATE camguard_${name} ${ARG_TEST_DEPS}
                          camguard_test_support GTest::gtest GTest::gmock GTest::gtest_main camguard_warnings)
    gtest_discover_tests(camguard_${name}_test
      PROPERTIES LABELS unit
      ENVIRONMENT "CAMGUARD_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
      DISCOVERY_TIMEOUT 60)
  endif()
endfunction()
