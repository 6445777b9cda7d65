// SPDX-License-Identifier: Apache-2.0
// The one translation unit that compiles Boost.Asio (separate compilation). Every target that
// includes Asio links camguard_asio and so shares this one copy of its implementation.
#include <boost/asio/impl/src.hpp>
