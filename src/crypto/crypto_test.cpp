// SPDX-License-Identifier: Apache-2.0
#include "crypto/crypto.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "base/files.h"
#include "test_support.h"

namespace camguard::crypto {
namespace {

using camguard::testing::TempDir;

std::string Unhex(std::string_view hex) {
  auto bytes = base::HexDecode(hex);
  EXPECT_TRUE(bytes);
  return bytes ? *bytes : std::string();
}

class CryptoTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Initialize()); }
};

// FIPS 180-2 appendix B.1.
TEST_F(CryptoTest, Sha256OfAbcMatchesFips180_2) {
  EXPECT_EQ(base::HexEncode(Sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");  // FIPS 180
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256("abc").size(), 32u);
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

struct HmacVector {
  const char* name;
  std::string key;
  std::string data;
  const char* expected_hex;
};

// RFC 4231 section 4 (case 5 tests truncated output, which camguard never uses).
TEST_F(CryptoTest, HmacSha256MatchesRfc4231) {
  const std::string key_aa_131(131, '\xaa');
  const HmacVector vectors[] = {
      {"case 1", std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"case 2", "Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {"case 3", std::string(20, '\xaa'), std::string(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {"case 4", Unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
       std::string(50, '\xcd'), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {"case 6", key_aa_131, "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"case 7", key_aa_131,
       "This is a test using a larger than block-size key and a larger than block-size data. "
       "The key needs to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const auto& v : vectors) {
    EXPECT_EQ(base::HexEncode(HmacSha256(v.key, v.data)), v.expected_hex) << v.name;
  }
}

// RFC 2202 section 3, test cases 1 and 2 (TOTP uses HMAC-SHA1, RFC 6238).
TEST_F(CryptoTest, HmacSha1MatchesRfc2202) {
  EXPECT_EQ(base::HexEncode(HmacSha1(std::string(20, '\x0b'), "Hi There")),
            "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(base::HexEncode(HmacSha1("Jefe", "what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST_F(CryptoTest, HmacAcceptsAnEmptyKeyAndMessage) {
  // Computed with `openssl dgst -sha256 -hmac ''` on an empty input.
  EXPECT_EQ(base::HexEncode(HmacSha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST_F(CryptoTest, ConstantTimeEqualComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEqual("", ""));
  EXPECT_TRUE(ConstantTimeEqual("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEqual("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEqual("secret", "secret2"));
  EXPECT_FALSE(ConstantTimeEqual("", "a"));
}

TEST_F(CryptoTest, RandomTokensAreUnpaddedBase64UrlAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 64; ++i) {
    const std::string token = RandomToken();
    EXPECT_EQ(token.size(), 43u);
    EXPECT_EQ(
        token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 64u);
  EXPECT_EQ(RandomBytes(17).size(), 17u);
}

TEST_F(CryptoTest, RandomUniformStaysBelowTheBound) {
  for (int i = 0; i < 1000; ++i) EXPECT_LT(RandomUniform(7), 7u);
}

TEST_F(CryptoTest, SealThenOpenRoundTrips) {
  const SecretKey key(RandomBytes(SecretKey::kSize));
  for (const std::string& plaintext :
       {std::string(), std::string("camera password"), std::string(100000, '\0')}) {
    const std::string sealed = Seal(key, plaintext);
    EXPECT_EQ(sealed.size(), plaintext.size() + 24 + 16);  // nonce + Poly1305 tag
    auto opened = Open(key, sealed);
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(*opened, plaintext);
  }
}

TEST_F(CryptoTest, SealUsesAFreshNonceEachTime) {
  const SecretKey key(RandomBytes(SecretKey::kSize));
  EXPECT_NE(Seal(key, "same"), Seal(key, "same"));
}

TEST_F(CryptoTest, OpenRejectsAnyFlippedBit) {
  const SecretKey key(RandomBytes(SecretKey::kSize));
  const std::string sealed = Seal(key, "the owner's TOTP secret");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string tampered = sealed;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    auto opened = Open(key, tampered);
    ASSERT_FALSE(opened) << "byte " << i;
    EXPECT_EQ(opened.error().code, base::ErrorCode::kDataLoss);
  }
}

TEST_F(CryptoTest, OpenRejectsTheWrongKey) {
  const SecretKey key(RandomBytes(SecretKey::kSize));
  const SecretKey other(RandomBytes(SecretKey::kSize));
  auto opened = Open(other, Seal(key, "hello"));
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, base::ErrorCode::kDataLoss);
}

TEST_F(CryptoTest, OpenRejectsInputShorterThanNonceAndTag) {
  const SecretKey key(RandomBytes(SecretKey::kSize));
  for (std::size_t size : {0u, 1u, 39u}) {
    auto opened = Open(key, std::string(size, 'x'));
    ASSERT_FALSE(opened) << size;
    EXPECT_EQ(opened.error().code, base::ErrorCode::kDataLoss);
  }
  // Exactly nonce + tag is a well-formed empty message, and a forged one fails authentication.
  auto forged = Open(key, std::string(40, 'x'));
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().code, base::ErrorCode::kDataLoss);
}

TEST_F(CryptoTest, SecretKeyCopiesTheRawBytes) {
  const std::string raw = RandomBytes(SecretKey::kSize);
  const SecretKey key(raw);
  EXPECT_EQ(key.bytes(), raw);
  const SecretKey copy = key;
  EXPECT_EQ(copy.bytes(), raw);
}

TEST_F(CryptoTest, KeyFileIsCreatedWithMode0600AndLoadedAgain) {
  TempDir dir;
  const auto path = dir.path() / "audit.key";
  auto created = LoadOrCreateKeyFile(path);
  ASSERT_TRUE(created) << created.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, static_cast<off_t>(SecretKey::kSize));

  auto loaded = LoadOrCreateKeyFile(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->bytes(), created->bytes());
  EXPECT_NE(created->bytes(), std::string(SecretKey::kSize, '\0'));
}

TEST_F(CryptoTest, KeyFileReadableByOthersIsRefusedAndLeftAlone) {
  TempDir dir;
  const auto path = dir.path() / "secrets.key";
  const std::string raw = RandomBytes(SecretKey::kSize);
  ASSERT_TRUE(base::WritePrivateFile(path, raw));
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto loaded = LoadOrCreateKeyFile(path);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, base::ErrorCode::kFailedPrecondition);
  EXPECT_NE(loaded.error().message.find("chmod 600"), std::string::npos);
  EXPECT_EQ(*base::ReadFile(path), raw);
}

TEST_F(CryptoTest, KeyFileOfTheWrongSizeIsRefused) {
  TempDir dir;
  const auto path = dir.path() / "audit.key";
  for (std::size_t size : {0u, 31u, 33u, 64u}) {
    ASSERT_TRUE(base::WritePrivateFile(path, std::string(size, 'k')));
    auto loaded = LoadOrCreateKeyFile(path);
    ASSERT_FALSE(loaded) << size;
    EXPECT_EQ(loaded.error().code, base::ErrorCode::kDataLoss) << size;
  }
}

TEST_F(CryptoTest, KeyFileThatIsADirectoryIsRefused) {
  TempDir dir;
  const auto path = dir.path() / "audit.key";
  ASSERT_TRUE(base::EnsurePrivateDirectory(path));
  auto loaded = LoadOrCreateKeyFile(path);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, base::ErrorCode::kFailedPrecondition);
}

TEST_F(CryptoTest, KeyFileIsNotReplacedWhenItCannotBeInspected) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  TempDir dir;
  const auto keys = dir.path() / "keys";
  ASSERT_TRUE(base::EnsurePrivateDirectory(keys));
  const std::string raw = RandomBytes(SecretKey::kSize);
  ASSERT_TRUE(base::WritePrivateFile(keys / "audit.key", raw));
  ASSERT_EQ(::chmod(keys.c_str(), 0), 0);  // stat() inside now fails with EACCES
  auto loaded = LoadOrCreateKeyFile(keys / "audit.key");
  ASSERT_EQ(::chmod(keys.c_str(), 0700), 0);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(*base::ReadFile(keys / "audit.key"), raw);
}

TEST_F(CryptoTest, KeyPathThatCannotBeResolvedIsNotReplaced) {
  TempDir dir;
  const auto path = dir.path() / "audit.key";
  std::filesystem::create_symlink(path, path);  // stat() fails with ELOOP, not ENOENT
  auto loaded = LoadOrCreateKeyFile(path);
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(std::filesystem::is_symlink(path));
}

}  // namespace
}  // namespace camguard::crypto
