// SPDX-License-Identifier: Apache-2.0
// The one translation unit that compiles Asio SSL and Beast (separate compilation),
// so the rest of net only includes their declarations.
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
