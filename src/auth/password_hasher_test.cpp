// SPDX-License-Identifier: Apache-2.0
#include "auth/password_hasher.h"

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "crypto/crypto.h"
#include "test_support.h"

namespace camguard::auth {
namespace {

using camguard::testing::CommandResult;
using camguard::testing::RunCommand;
using camguard::testing::TempDir;

// Small parameters keep the suite fast; only ProductionDefaults* use the real ones.
constexpr Argon2Params kTestParams{8192, 1};

// From the Argon2 reference implementation's test suite (Argon2id, v=0x13): password
// "password", salt "somesalt", t=2, m=2^16 KiB, p=1. Debian's `argon2` CLI prints the same.
constexpr std::string_view kReferenceHash =
    "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";

TEST(PasswordHasher, VerifiesReferenceImplementationVector) {
  const PasswordHasher hasher(kTestParams);
  EXPECT_TRUE(hasher.Verify(kReferenceHash, "password"));
  EXPECT_FALSE(hasher.Verify(kReferenceHash, "Password"));
  EXPECT_FALSE(hasher.Verify(kReferenceHash, "password "));
  EXPECT_FALSE(hasher.Verify(kReferenceHash, ""));
}

TEST(PasswordHasher, VerifiesHashesMadeByTheArgon2Cli) {
  // Debian package "argon2" (scripts/install-deps): an independent implementation, so a hash
  // format or parameter mismatch between it and libsodium shows up here.
  ASSERT_EQ(RunCommand("command -v argon2 >/dev/null 2>&1").exit_code, 0)
      << "the argon2 CLI is missing; run scripts/install-deps";
  const PasswordHasher hasher(kTestParams);
  const std::string salt = base::HexEncode(crypto::RandomBytes(8));  // 16 characters
  const std::string password = "pw-" + base::HexEncode(crypto::RandomBytes(6)) + " with spaces";
  const CommandResult cli =
      RunCommand("printf '%s' '" + password + "' | argon2 " + salt + " -id -t 1 -k 8192 -p 1 -e");
  ASSERT_EQ(cli.exit_code, 0) << cli.output;
  std::string encoded = cli.output;
  while (!encoded.empty() && (encoded.back() == '\n' || encoded.back() == '\r')) encoded.pop_back();
  ASSERT_EQ(encoded.rfind("$argon2id$v=19$m=8192,t=1,p=1$", 0), 0u) << encoded;
  EXPECT_TRUE(hasher.Verify(encoded, password));
  EXPECT_FALSE(hasher.Verify(encoded, password + "x"));
  EXPECT_FALSE(hasher.NeedsRehash(encoded));
}

TEST(PasswordHasher, HashIsArgon2idPhcStringWithItsParameters) {
  const PasswordHasher hasher(kTestParams);
  const auto hash = hasher.Hash("correct horse battery staple");
  ASSERT_TRUE(hash.has_value()) << hash.error().message;
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=8192,t=1,p=1$", 0), 0u) << *hash;
  EXPECT_TRUE(hasher.Verify(*hash, "correct horse battery staple"));
  EXPECT_FALSE(hasher.Verify(*hash, "correct horse battery stapl"));
}

TEST(PasswordHasher, SaltsEveryHash) {
  const PasswordHasher hasher(kTestParams);
  const auto first = hasher.Hash("same password");
  const auto second = hasher.Hash("same password");
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_NE(*first, *second);
}

TEST(PasswordHasher, HashesPasswordsWithNulBytesWhole) {
  const PasswordHasher hasher(kTestParams);
  const std::string password("abc\0def", 7);
  const auto hash = hasher.Hash(password);
  ASSERT_TRUE(hash.has_value());
  EXPECT_TRUE(hasher.Verify(*hash, password));
  EXPECT_FALSE(hasher.Verify(*hash, "abc"));
}

TEST(PasswordHasher, NeedsRehashWhenParametersChange) {
  const PasswordHasher hasher(kTestParams);
  const auto hash = hasher.Hash("some password");
  ASSERT_TRUE(hash.has_value());
  EXPECT_FALSE(hasher.NeedsRehash(*hash));
  EXPECT_TRUE(PasswordHasher(Argon2Params{8192, 2}).NeedsRehash(*hash));
  EXPECT_TRUE(PasswordHasher(Argon2Params{16384, 1}).NeedsRehash(*hash));
  EXPECT_TRUE(hasher.NeedsRehash(kReferenceHash));
  EXPECT_TRUE(hasher.NeedsRehash("not a hash"));
}

TEST(PasswordHasher, RejectsMalformedHashes) {
  const PasswordHasher hasher(kTestParams);
  const auto hash = hasher.Hash("password");
  ASSERT_TRUE(hash.has_value());
  ASSERT_TRUE(hasher.Verify(*hash, "password"));
  std::string tampered = *hash;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  std::string argon2i = *hash;
  argon2i.replace(0, 10, "$argon2i$");
  // Structurally broken: neither verifiable nor usable as a parameter reference.
  for (const std::string& bad :
       {std::string(), std::string("$argon2id$"), hash->substr(0, hash->size() - 10), argon2i,
        std::string(*hash).insert(5, 1, '\0'), *hash + std::string(200, 'A'),
        std::string("password"), std::string("$argon2id$v=19$m=x,t=1,p=1$c29tZXNhbHQ$AAAA")}) {
    EXPECT_FALSE(hasher.Verify(bad, "password")) << bad;
    EXPECT_TRUE(hasher.NeedsRehash(bad)) << bad;
  }
  // Well-formed parameters but a different digest: NeedsRehash looks only at the parameters.
  for (const std::string& bad : {tampered, *hash + "A"})
    EXPECT_FALSE(hasher.Verify(bad, "password")) << bad;
}

TEST(PasswordHasher, DummyHashIsAValidHashWithTheSameParameters) {
  const PasswordHasher hasher(kTestParams);
  const std::string& dummy = hasher.DummyHash();
  EXPECT_EQ(dummy.rfind("$argon2id$v=19$m=8192,t=1,p=1$", 0), 0u) << dummy;
  EXPECT_FALSE(hasher.NeedsRehash(dummy));  // so verifying against it costs the same
  EXPECT_FALSE(hasher.Verify(dummy, ""));
  EXPECT_FALSE(hasher.Verify(dummy, "password"));
  EXPECT_NE(dummy, PasswordHasher(kTestParams).DummyHash());
}

TEST(PasswordHasher, ProductionDefaultsAreTheInteractiveFloor) {
  const Argon2Params defaults;
  EXPECT_EQ(defaults.memory_kib, kProductionMinMemoryKib);
  EXPECT_EQ(defaults.iterations, kProductionMinIterations);
  EXPECT_GE(kProductionMinMemoryKib, 65536u);  // libsodium OPSLIMIT/MEMLIMIT_INTERACTIVE
  EXPECT_GE(kProductionMinIterations, 2u);
  const PasswordHasher hasher(defaults);
  const auto hash = hasher.Hash("production password");
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u) << *hash;
  EXPECT_TRUE(hasher.Verify(*hash, "production password"));
  EXPECT_FALSE(hasher.NeedsRehash(kReferenceHash));  // same parameters as the reference vector
}

TEST(PasswordHasher, ReportsParametersLibsodiumRefuses) {
  const PasswordHasher hasher(Argon2Params{8192, 0});  // Argon2 needs at least one pass
  const auto hash = hasher.Hash("password");
  ASSERT_FALSE(hash.has_value());
  EXPECT_EQ(hash.error().message.find("password"), std::string::npos);
  EXPECT_TRUE(hasher.DummyHash().empty());
  EXPECT_FALSE(hasher.Verify(hasher.DummyHash(), ""));
}

}  // namespace
}  // namespace camguard::auth
