#include "common/crypto.h"

#include <gtest/gtest.h>

namespace worklog {
namespace {

TEST(Crypto, PkceChallengeMatchesGitLabsDocumentedVector) {
  // doc/api/oauth2.md: verifier -> S256 challenge.
  EXPECT_EQ(Base64UrlEncode(Sha256("ks02i3jdikdo2k0dkfodf3m39rjfjsdk0wk349rj3jrhf")),
            "2i0WFA-0AerkjQm4X4oDEhqA17QIAKNjXpagHBXmO_U");
}

TEST(Crypto, PasswordVerifiesOnlyWithTheSamePassword) {
  auto hash = HashPassword("correct horse");
  ASSERT_TRUE(hash.has_value());
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horsE"));
  EXPECT_EQ(hash->find("correct"), std::string::npos);
}

TEST(Crypto, SealedSecretOpensOnlyWithItsKey) {
  auto box = SecretBox::FromKey(std::string(32, 'k'));
  auto other = SecretBox::FromKey(std::string(32, 'x'));
  ASSERT_TRUE(box && other);
  const std::string sealed = box->Seal("glpat-secret-token");
  EXPECT_EQ(sealed.find("glpat"), std::string::npos);
  EXPECT_EQ(box->Open(sealed).value(), "glpat-secret-token");
  EXPECT_FALSE(other->Open(sealed).has_value());
  EXPECT_FALSE(box->Open("not-sealed").has_value());
}

TEST(Crypto, ConstantTimeEqualsComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
}

TEST(Crypto, RandomTokensDoNotRepeat) {
  EXPECT_NE(RandomToken(), RandomToken());
  EXPECT_EQ(RandomToken(32).size(), 43U);
}

}  // namespace
}  // namespace worklog
