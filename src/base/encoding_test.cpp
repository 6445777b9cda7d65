// SPDX-License-Identifier: Apache-2.0
#include "base/encoding.h"

#include <random>
#include <string>

#include <gtest/gtest.h>

namespace camguard::base {
namespace {

struct Rfc4648Vector {
  const char* input;
  const char* base64;
  const char* base32;
  const char* base16;
};

// RFC 4648 section 10.
constexpr Rfc4648Vector kRfc4648Vectors[] = {
    {"", "", "", ""},
    {"f", "Zg==", "MY======", "66"},
    {"fo", "Zm8=", "MZXQ====", "666F"},
    {"foo", "Zm9v", "MZXW6===", "666F6F"},
    {"foob", "Zm9vYg==", "MZXW6YQ=", "666F6F62"},
    {"fooba", "Zm9vYmE=", "MZXW6YTB", "666F6F6261"},
    {"foobar", "Zm9vYmFy", "MZXW6YTBOI======", "666F6F626172"},
};

std::string WithoutPadding(std::string_view text) {
  return std::string(text.substr(0, text.find('=')));
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Deterministic bytes covering every value, for round trips.
std::string PseudoRandomBytes(std::size_t size, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(byte(generator));
  return out;
}

TEST(Base64, EncodesRfc4648Vectors) {
  for (const auto& v : kRfc4648Vectors) EXPECT_EQ(Base64Encode(v.input), v.base64) << v.input;
}

TEST(Base64, DecodesRfc4648Vectors) {
  for (const auto& v : kRfc4648Vectors)
    EXPECT_EQ(Base64Decode(v.base64).value(), v.input) << v.input;
}

TEST(Base64, RefusesMissingPaddingBadCharactersAndTrailingBits) {
  EXPECT_FALSE(Base64Decode("Zm8"));       // padding missing
  EXPECT_FALSE(Base64Decode("Zm9v!A=="));  // not in the alphabet
  EXPECT_FALSE(Base64Decode("Zm9="));      // low bits of the last character set
  EXPECT_FALSE(Base64Decode("Zm 9v"));
}

TEST(Base64Url, EncodesRfc4648VectorsWithoutPadding) {
  for (const auto& v : kRfc4648Vectors) {
    EXPECT_EQ(Base64UrlEncode(v.input), WithoutPadding(v.base64)) << v.input;
  }
}

TEST(Base64Url, UsesTheUrlSafeAlphabet) {
  // 0xfb 0xff is "+/8=" in standard base64 (RFC 4648 section 5).
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(*Base64UrlDecode("-_8"), "\xfb\xff");
}

TEST(Base64Url, RoundTripsEveryLength) {
  for (std::size_t size = 0; size <= 70; ++size) {
    const std::string bytes = PseudoRandomBytes(size, static_cast<unsigned>(size));
    const std::string text = Base64UrlEncode(bytes);
    EXPECT_EQ(text.find('='), std::string::npos);
    auto decoded = Base64UrlDecode(text);
    ASSERT_TRUE(decoded) << size << ": " << decoded.error().message;
    EXPECT_EQ(*decoded, bytes) << size;
  }
}

TEST(Base64Url, DecodesRfc4648Vectors) {
  for (const auto& v : kRfc4648Vectors) {
    EXPECT_EQ(*Base64UrlDecode(WithoutPadding(v.base64)), v.input) << v.input;
  }
}

TEST(Base64Url, RejectsMalformedInput) {
  for (const char* bad : {"A", "Zm9vY", "Zm9v+A", "Zm9v/A", "Zg==", "Zm 9v", "Zm9v\n"}) {
    auto decoded = Base64UrlDecode(bad);
    ASSERT_FALSE(decoded) << bad;
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(Base64UrlDecode(std::string_view("Zm\0v", 4)));
}

TEST(Base64Url, RejectsNonCanonicalTrailingBits) {
  // "Zg" is "f"; "Zh" carries the same byte with a non-zero unused bit (RFC 4648 section 3.5),
  // which would give one token two spellings.
  EXPECT_EQ(*Base64UrlDecode("Zg"), "f");
  EXPECT_FALSE(Base64UrlDecode("Zh"));
  EXPECT_EQ(*Base64UrlDecode("Zm8"), "fo");
  EXPECT_FALSE(Base64UrlDecode("Zm9"));
}

TEST(Base32, EncodesRfc4648VectorsWithoutPadding) {
  for (const auto& v : kRfc4648Vectors) {
    EXPECT_EQ(Base32Encode(v.input), WithoutPadding(v.base32)) << v.input;
  }
}

TEST(Base32, DecodesRfc4648VectorsPaddedUnpaddedAndLowerCase) {
  for (const auto& v : kRfc4648Vectors) {
    EXPECT_EQ(*Base32Decode(v.base32), v.input) << v.base32;
    EXPECT_EQ(*Base32Decode(WithoutPadding(v.base32)), v.input) << v.base32;
    EXPECT_EQ(*Base32Decode(Lower(v.base32)), v.input) << v.base32;
  }
}

TEST(Base32, AcceptsSecretsAsAuthenticatorAppsPrintThem) {
  EXPECT_EQ(*Base32Decode("mzxw 6ytb oi"), "foobar");
  EXPECT_EQ(*Base32Decode("MZXW-6YTB-OI"), "foobar");
}

TEST(Base32, RoundTripsEveryLength) {
  for (std::size_t size = 0; size <= 41; ++size) {
    const std::string bytes = PseudoRandomBytes(size, 1000u + static_cast<unsigned>(size));
    auto decoded = Base32Decode(Base32Encode(bytes));
    ASSERT_TRUE(decoded) << size;
    EXPECT_EQ(*decoded, bytes) << size;
  }
}

TEST(Base32, RejectsMalformedInput) {
  for (const char* bad : {"MZXW1", "MZXW8", "MY=A", "MZ.X", "MZXW6YTBOI\x01"}) {
    auto decoded = Base32Decode(bad);
    ASSERT_FALSE(decoded) << bad;
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(Base32, RejectsLengthsNoByteStringEncodesTo) {
  // RFC 4648 section 6: the last quantum has 2, 4, 5 or 7 symbols, never 1, 3 or 6.
  for (const char* bad : {"M", "MZX", "MZXW6Y", "MZXW6YTBO"}) {
    EXPECT_FALSE(Base32Decode(bad)) << bad;
  }
}

TEST(Hex, EncodesRfc4648VectorsInLowerCaseAndDecodesEitherCase) {
  for (const auto& v : kRfc4648Vectors) {
    EXPECT_EQ(HexEncode(v.input), Lower(v.base16)) << v.input;
    EXPECT_EQ(*HexDecode(v.base16), v.input) << v.base16;
    EXPECT_EQ(*HexDecode(Lower(v.base16)), v.input) << v.base16;
  }
  EXPECT_EQ(HexEncode(std::string("\x00\xff\x10", 3)), "00ff10");
}

TEST(Hex, RejectsOddLengthAndNonHexDigits) {
  for (const char* bad : {"6", "666", "6g", "g6", " 66", "0x66"}) {
    auto decoded = HexDecode(bad);
    ASSERT_FALSE(decoded) << bad;
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(Percent, KeepsUnreservedAndEscapesEverythingElseInUpperCase) {
  // RFC 3986 section 2.3 unreserved: ALPHA DIGIT - . _ ~
  EXPECT_EQ(PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(PercentEncode("camguard:alice@home"), "camguard%3Aalice%40home");
  EXPECT_EQ(PercentEncode("a b+c/\xc3\xbc"), "a%20b%2Bc%2F%C3%BC");
}

TEST(Percent, DecodesEscapesAndOptionallyPlusAsSpace) {
  EXPECT_EQ(*PercentDecode("a%20b%2Bc%2f%C3%BC", false), "a b+c/\xc3\xbc");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(*PercentDecode("a+b", true), "a b");
  EXPECT_EQ(*PercentDecode("%41", false), "A");
  EXPECT_EQ(*PercentDecode("", false), "");
  EXPECT_EQ(*PercentDecode("%00", false), std::string(1, '\0'));
}

TEST(Percent, RejectsTruncatedAndInvalidEscapes) {
  for (const char* bad : {"%", "%4", "abc%", "abc%4", "%zz", "%4g", "%g4", "%%41"}) {
    auto decoded = PercentDecode(bad, false);
    ASSERT_FALSE(decoded) << bad;
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(Percent, RoundTripsArbitraryBytes) {
  const std::string bytes = PseudoRandomBytes(512, 7);
  EXPECT_EQ(*PercentDecode(PercentEncode(bytes), true), bytes);
}

}  // namespace
}  // namespace camguard::base
