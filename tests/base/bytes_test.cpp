// base/bytes.hpp and base/saturating.hpp: exact little-endian layout, no read past the end, and
// saturation at both ends.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "tokenmaxx/base/bytes.hpp"
#include "tokenmaxx/base/saturating.hpp"

namespace {

TEST(Bytes, WritesLeastSignificantFirst) {
  std::string out;
  tokenmaxx::base::put_le<std::uint16_t>(out, 0x0102);
  tokenmaxx::base::put_le<std::uint32_t>(out, 0x03040506u);
  tokenmaxx::base::put_le<std::uint64_t>(out, 0x0708090a0b0c0d0eull);
  EXPECT_EQ(out, std::string("\x02\x01\x06\x05\x04\x03\x0e\x0d\x0c\x0b\x0a\x09\x08\x07", 14));
}

TEST(Bytes, ReadsBackAndRefusesToReadPastTheEnd) {
  std::string out;
  tokenmaxx::base::put_le<std::uint32_t>(out, 0xdeadbeefu);
  out += "xyz";
  tokenmaxx::base::byte_reader in(out);
  std::uint32_t v = 0;
  ASSERT_TRUE(in.le(v));
  EXPECT_EQ(v, 0xdeadbeefu);
  std::uint64_t too_big = 42;
  EXPECT_FALSE(in.le(too_big));           // 3 bytes left, 8 asked for
  EXPECT_EQ(too_big, 42u);                // untouched
  EXPECT_EQ(in.position(), 4u);           // position unchanged by the failed read
  std::string s;
  EXPECT_FALSE(in.bytes(4, s));
  ASSERT_TRUE(in.bytes(3, s));
  EXPECT_EQ(s, "xyz");
  EXPECT_EQ(in.remaining(), 0u);
  std::uint8_t b = 0;
  EXPECT_FALSE(in.le(b));
}

TEST(Saturating, UnsignedSetsTheFlagOnlyOnOverflow) {
  bool o = false;
  EXPECT_EQ(tokenmaxx::base::saturating_add(std::uint64_t{1}, std::uint64_t{2}, o), 3u);
  EXPECT_FALSE(o);
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(tokenmaxx::base::saturating_add(max - 1, std::uint64_t{1}, o), max);
  EXPECT_FALSE(o);  // exactly max is not an overflow
  EXPECT_EQ(tokenmaxx::base::saturating_add(max - 1, std::uint64_t{5}, o), max);
  EXPECT_TRUE(o);
  EXPECT_EQ(tokenmaxx::base::saturating_add(std::uint64_t{1}, std::uint64_t{1}, o), 2u);
  EXPECT_TRUE(o);  // the flag is sticky
}

TEST(Saturating, SignedClampsBothWays) {
  using lim = std::numeric_limits<std::int64_t>;
  EXPECT_EQ(tokenmaxx::base::saturating_add(lim::max(), std::int64_t{1}), lim::max());
  EXPECT_EQ(tokenmaxx::base::saturating_add(lim::min(), std::int64_t{-1}), lim::min());
  EXPECT_EQ(tokenmaxx::base::saturating_add(std::int64_t{-5}, std::int64_t{3}), -2);
}

}  // namespace
