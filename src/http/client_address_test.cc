#include "http/client_address.h"

#include <gtest/gtest.h>

namespace worklog::http {
namespace {

TrustedProxies Trust(const std::vector<std::string>& entries) {
  auto parsed = TrustedProxies::Parse(entries);
  EXPECT_TRUE(parsed.has_value()) << parsed.error().message;
  return parsed.value_or(TrustedProxies{});
}

TEST(ClientAddress, WithoutTrustedProxiesThePeerIsTheClientWhateverTheHeaderSays) {
  EXPECT_EQ(ClientAddress("198.51.100.7", "203.0.113.1", TrustedProxies{}), "198.51.100.7");
}

TEST(ClientAddress, AnUntrustedPeerCannotNameAnotherAddress) {
  EXPECT_EQ(ClientAddress("198.51.100.7", "203.0.113.1", Trust({"127.0.0.1"})), "198.51.100.7");
}

TEST(ClientAddress, BehindATrustedProxyTheEntryItAddedIsTheClient) {
  const TrustedProxies trusted = Trust({"127.0.0.1"});
  EXPECT_EQ(ClientAddress("127.0.0.1", "203.0.113.9", trusted), "203.0.113.9");
  // The client sent its own header: the proxy appended the real address on the right.
  EXPECT_EQ(ClientAddress("127.0.0.1", "1.2.3.4, 203.0.113.9", trusted), "203.0.113.9");
  // No header: the proxy itself.
  EXPECT_EQ(ClientAddress("127.0.0.1", "", trusted), "127.0.0.1");
}

TEST(ClientAddress, TrustedHopsAreSkippedUpToTheFirstUntrustedOne) {
  const TrustedProxies trusted = Trust({"10.0.0.0/8", "127.0.0.1"});
  EXPECT_EQ(ClientAddress("127.0.0.1", "6.6.6.6, 203.0.113.9, 10.1.2.3", trusted), "203.0.113.9");
  // Every hop trusted: the left-most one.
  EXPECT_EQ(ClientAddress("127.0.0.1", "10.9.9.9,10.1.2.3", trusted), "10.9.9.9");
}

TEST(ClientAddress, AMalformedEntryEndsTheWalkAtTheLastTrustedHop) {
  const TrustedProxies trusted = Trust({"127.0.0.1", "10.0.0.0/8"});
  EXPECT_EQ(ClientAddress("127.0.0.1", "203.0.113.9, not-an-ip, 10.0.0.2", trusted), "10.0.0.2");
  EXPECT_EQ(ClientAddress("127.0.0.1", "unknown", trusted), "127.0.0.1");
}

TEST(ClientAddress, IPv6RangesAndAddresses) {
  const TrustedProxies trusted = Trust({"::1", "fd00::/8"});
  EXPECT_EQ(ClientAddress("::1", "2001:db8::5", trusted), "2001:db8::5");
  EXPECT_EQ(ClientAddress("fd12:3456::1", "2001:db8::5", trusted), "2001:db8::5");
  EXPECT_EQ(ClientAddress("fe80::1", "2001:db8::5", trusted), "fe80::1");
}

TEST(TrustedProxies, CidrPrefixesMatchToTheBit) {
  const TrustedProxies trusted = Trust({"192.168.4.0/22"});
  EXPECT_TRUE(trusted.Contains("192.168.4.1"));
  EXPECT_TRUE(trusted.Contains("192.168.7.255"));
  EXPECT_FALSE(trusted.Contains("192.168.8.0"));
  EXPECT_FALSE(trusted.Contains("192.168.3.255"));
  EXPECT_TRUE(Trust({"0.0.0.0/0"}).Contains("8.8.8.8"));
  EXPECT_FALSE(Trust({"0.0.0.0/0"}).Contains("2001:db8::1"));
}

TEST(TrustedProxies, ABadEntryIsNamed) {
  for (const std::string bad :
       {"localhost", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "::1/129", "300.1.1.1"}) {
    const auto parsed = TrustedProxies::Parse({"127.0.0.1", bad});
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().field, "trusted-proxy");
    EXPECT_NE(parsed.error().message.find(bad), std::string::npos) << parsed.error().message;
  }
}

}  // namespace
}  // namespace worklog::http
