// SPDX-License-Identifier: Apache-2.0
// The one translation unit that compiles Boost.Asio, Asio SSL and Beast (separate compilation),
// so the rest of net only includes their declarations.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
