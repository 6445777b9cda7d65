// SPDX-License-Identifier: Apache-2.0
#include "auth/recovery_codes.h"

#include <regex>
#include <set>

#include <gtest/gtest.h>

namespace camguard::auth {
namespace {

TEST(RecoveryCodes, AreTenDistinctCodesOfTwoBase32Groups) {
  const std::vector<std::string> codes = GenerateRecoveryCodes();
  ASSERT_EQ(codes.size(), 10u);
  const std::regex format("^[a-z2-7]{5}-[a-z2-7]{5}$");
  for (const std::string& code : codes) EXPECT_TRUE(std::regex_match(code, format)) << code;
  EXPECT_EQ(std::set<std::string>(codes.begin(), codes.end()).size(), codes.size());
}

TEST(RecoveryCodes, HonourRequestedCount) {
  EXPECT_TRUE(GenerateRecoveryCodes(0).empty());
  EXPECT_TRUE(GenerateRecoveryCodes(-4).empty());
  EXPECT_EQ(GenerateRecoveryCodes(3).size(), 3u);
}

TEST(RecoveryCodes, UseTheWholeBase32AlphabetInEveryPosition) {
  // 10 symbols carry 50 bits only if each of the 32 symbols can appear in each position.
  // Over 1,000 codes a given symbol is absent from a given position with probability
  // (31/32)^1000 < 2e-14, so this fails only for a narrowed or biased generator.
  const std::vector<std::string> codes = GenerateRecoveryCodes(1000);
  ASSERT_EQ(codes.size(), 1000u);
  for (std::size_t position : {0u, 1u, 2u, 3u, 4u, 6u, 7u, 8u, 9u, 10u}) {
    std::set<char> seen;
    for (const std::string& code : codes) seen.insert(code[position]);
    EXPECT_EQ(seen.size(), 32u) << "position " << position;
  }
}

TEST(RecoveryCodes, NormalizeIgnoresCaseSpacesAndDashes) {
  EXPECT_EQ(NormalizeRecoveryCode("k7d2m-q9xfp"), "k7d2mq9xfp");
  EXPECT_EQ(NormalizeRecoveryCode("K7D2M-Q9XFP"), "k7d2mq9xfp");
  EXPECT_EQ(NormalizeRecoveryCode("  k7d2m q9xfp\t"), "k7d2mq9xfp");
  EXPECT_EQ(NormalizeRecoveryCode("k7d2m--q9-xfp"), "k7d2mq9xfp");
}

TEST(RecoveryCodes, NormalizeKeepsOtherCharactersSoTyposStayWrong) {
  EXPECT_EQ(NormalizeRecoveryCode("k7d2m_q9xfp"), "k7d2m_q9xfp");
  EXPECT_EQ(NormalizeRecoveryCode("k7d2m.q9xfp"), "k7d2m.q9xfp");
  EXPECT_EQ(NormalizeRecoveryCode(""), "");
}

TEST(RecoveryCodes, GeneratedCodesSurviveNormalization) {
  for (const std::string& code : GenerateRecoveryCodes(5)) {
    std::string typed = code;
    for (char& c : typed) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    EXPECT_EQ(NormalizeRecoveryCode(typed), NormalizeRecoveryCode(code));
    EXPECT_EQ(NormalizeRecoveryCode(code).size(), 10u);
  }
}

}  // namespace
}  // namespace camguard::auth
