// SPDX-License-Identifier: Apache-2.0
#include "auth/password_policy.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace camguard::auth {
namespace {

// Returns the refusal message, or "" when the password is accepted.
std::string Refusal(std::string_view password, std::string_view username = "owner") {
  const base::Status status = CheckPasswordPolicy(password, username);
  if (status) return "";
  EXPECT_EQ(status.error().code, base::ErrorCode::kInvalidArgument);
  return status.error().message.empty() ? "(empty message)" : status.error().message;
}

TEST(PasswordPolicy, AcceptsLongUnpredictablePasswords) {
  for (std::string_view password :
       {"k8#Lm2!qZr9w", "correct horse battery staple", "Tr4mpoline-Seagull-91",
        "my password is not short", "Grüße aus Köln 2024", "qwerty-Lamp-93", "8472-1936-5501-77"}) {
    EXPECT_EQ(Refusal(password), "") << password;
  }
}

TEST(PasswordPolicy, CountsCodePointsNotBytesForTheMinimumLength) {
  EXPECT_NE(Refusal("Xk3#mq9!Lp2"), "");   // 11 characters
  EXPECT_EQ(Refusal("Xk3#mq9!Lp2z"), "");  // 12 characters
  // 11 code points in 17 bytes: still too short.
  const std::string eleven = "Ünïcödé-pä1";
  ASSERT_GE(eleven.size(), 12u);
  EXPECT_NE(Refusal(eleven), "");
  EXPECT_EQ(Refusal(eleven + "x"), "");
  EXPECT_NE(Refusal(""), "");
}

TEST(PasswordPolicy, RefusesMoreThan256Bytes) {
  std::string password;
  while (password.size() < 256) password += "Zq7-";
  ASSERT_EQ(password.size(), 256u);
  EXPECT_EQ(Refusal(password), "");
  EXPECT_NE(Refusal(password + "x"), "");
  // The limit is in bytes: 129 two-byte characters are refused.
  std::string wide;
  for (int i = 0; i < 129; ++i) wide += (i % 2 == 0) ? "é" : "ß";
  EXPECT_NE(Refusal(wide), "");
}

TEST(PasswordPolicy, RefusesInvalidUtf8) {
  EXPECT_NE(Refusal("Xk3#mq9!Lp2z\xff"), "");
  EXPECT_NE(Refusal("Xk3#mq9!Lp2z\xc3"), "");          // truncated sequence
  EXPECT_NE(Refusal("Xk3#mq9!Lp2z\xc0\xaf"), "");      // overlong "/"
  EXPECT_NE(Refusal("Xk3#mq9!Lp2z\xed\xa0\x80"), "");  // UTF-16 surrogate
  EXPECT_EQ(Refusal("Xk3#mq9!Lp2z\xe2\x82\xac"), "");  // "€" is fine
}

TEST(PasswordPolicy, RefusesControlCharacters) {
  EXPECT_NE(Refusal("Xk3#mq9!\tLp2z"), "");
  EXPECT_NE(Refusal("Xk3#mq9!Lp2z\n"), "");
  EXPECT_NE(Refusal(std::string("Xk3#mq9!\0Lp2z", 13)), "");
  EXPECT_NE(Refusal("Xk3#mq9!\x7fLp2z"), "");
  EXPECT_NE(Refusal("Xk3#mq9!\xc2\x85Lp2z"), "");  // U+0085 NEXT LINE (C1)
  EXPECT_EQ(Refusal("Xk3#mq9! Lp2z"), "");         // space is not a control character
}

TEST(PasswordPolicy, RefusesPasswordsContainingTheUsername) {
  EXPECT_NE(Refusal("xALICEx#93kq", "alice"), "");
  EXPECT_NE(Refusal("Xk3#mq9!Lp2z", "xk3#mq9!lp2z"), "");  // equal, ignoring case
  EXPECT_NE(Refusal("zq-Bob-48xkLw", "bob"), "");
  EXPECT_EQ(Refusal("xALICEx#93kq", "bob"), "");
  // Usernames shorter than three characters are too likely to occur by chance.
  EXPECT_EQ(Refusal("zalqp#93kx8w", "al"), "");
  EXPECT_NE(Refusal("zalqp#93kx8w", "alq"), "");
}

TEST(PasswordPolicy, RefusesCommonPasswords) {
  EXPECT_TRUE(IsCommonPassword("password"));
  EXPECT_TRUE(IsCommonPassword("PassWord"));
  EXPECT_TRUE(IsCommonPassword("winniethepooh"));
  EXPECT_TRUE(IsCommonPassword("iloveyou"));
  EXPECT_FALSE(IsCommonPassword("k8#Lm2!qZr9w"));
  EXPECT_FALSE(IsCommonPassword(""));
  EXPECT_NE(Refusal("winniethepooh"), "");
  EXPECT_NE(Refusal("WinnieThePooh"), "");
}

TEST(PasswordPolicy, EmbedsEveryEntryOfTheCommittedList) {
  // The build turns data/common-passwords.txt into a string literal; every entry, including
  // those with ";", "$", "@" or "\\", must survive that trip.
  const char* source_dir = std::getenv("CAMGUARD_SOURCE_DIR");
  ASSERT_NE(source_dir, nullptr) << "ctest sets CAMGUARD_SOURCE_DIR";
  std::ifstream list(std::filesystem::path(source_dir) / "data" / "common-passwords.txt");
  ASSERT_TRUE(list.is_open());
  std::size_t entries = 0;
  for (std::string line; std::getline(list, line);) {
    if (line.empty()) continue;
    ++entries;
    EXPECT_TRUE(IsCommonPassword(line)) << line;
  }
  EXPECT_GT(entries, 3000u);
  EXPECT_TRUE(IsCommonPassword("asdf;lkj"));
  EXPECT_TRUE(IsCommonPassword("!@#$%^&*"));
}

TEST(PasswordPolicy, RefusesCommonPasswordsWithDigitsOrSymbolsAround) {
  for (std::string_view password :
       {"password1234", "password1234!", "PASSWORD1234", "1234password", "!!password!!",
        "2024-iloveyou", "iloveyou 2024", "#1 Monkey 1999!", "letmein12345", "123456!!!!!!"}) {
    EXPECT_NE(Refusal(password), "") << password;
  }
}

TEST(PasswordPolicy, AcceptsCommonWordsInsideLongerText) {
  // Letters next to the common password make it part of something else.
  for (std::string_view password :
       {"passwordish-k9x", "mypassword-is-long", "iloveyourdog42", "xmonkeyx-1999"}) {
    EXPECT_EQ(Refusal(password), "") << password;
  }
}

TEST(PasswordPolicy, RefusesOneRepeatedCharacter) {
  EXPECT_NE(Refusal("aaaaaaaaaaaa"), "");
  EXPECT_NE(Refusal("############"), "");
  EXPECT_NE(Refusal("éééééééééééé"), "");
  EXPECT_NE(Refusal("AAAAAAAAAAAAAAAAAAAA"), "");
}

TEST(PasswordPolicy, RefusesSimpleSequences) {
  for (std::string_view password :
       {"123456789012", "abcdefghijkl", "qwertyuiopas", "ABCDEFGHIJKL", "lkjihgfedcba",
        "098765432109", "qwertzuiopasdf", "azertyuiopqsd", "mnbvcxzlkjhgfd", "vwxyzabcdefgh"}) {
    EXPECT_NE(Refusal(password), "") << password;
  }
}

TEST(PasswordPolicy, AcceptsAlmostSequencesThatBreakThePattern) {
  EXPECT_EQ(Refusal("abcdefgh-Kz7w"), "");
  EXPECT_EQ(Refusal("qwertyuiop-Mango"), "");
}

TEST(PasswordPolicy, MessagesNeverEchoThePassword) {
  for (std::string_view password :
       {"Sup3rS3cret", "Sup3rS3cret\x01xyz", "Sup3rS3cret-owner", "Sup3rS3cret\xff\xfe"}) {
    const base::Status status = CheckPasswordPolicy(password, "owner");
    ASSERT_FALSE(status.has_value()) << password;
    EXPECT_EQ(status.error().message.find("3cret"), std::string::npos) << status.error().message;
  }
}

}  // namespace
}  // namespace camguard::auth
